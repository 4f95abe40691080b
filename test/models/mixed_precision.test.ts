// Mixed-precision SimCLR training on CPU: the forward pass under bfloat16 autocast, NT-Xent on float32 projections.
// A step tracks its float32 twin (loss, gradients, BN statistics), everything stored stays float32, the loss falls.
// (Trajectories are compared one step at a time: at batch 8 even 0.2% input noise decorrelates gradients in 3 steps.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ntXent } from '../../src/losses/index.js';
import { buildModel, type SimCLRModel } from '../../src/models/index.js';
import { SGD } from '../../src/optim/index.js';
import { autocast, cat, liveTensors, manualSeed, rand, tidy, type Tensor } from '../../src/tensor/index.js';

const STEPS = 5;

function smallModel(): SimCLRModel {
  manualSeed(3); // both precisions start from the same weights
  return buildModel({ depth: 18, widthMultiplier: 0.125, inChannels: 1, imageSize: 16, stem: 'cifar', projHead: { outDim: 16 } });
}

interface StepResult { loss: number; zDtype: string; grads: Float32Array }

/** One SimCLR step: autocast forward (bf16 or off), loss in float32, backward, SGD. Returns the loss and all gradients. */
function step(model: SimCLRModel, opt: SGD, x: Tensor, bf16: boolean): StepResult {
  return tidy(() => {
    const out = autocast({ device: 'cpu', dtype: 'bfloat16', enabled: bf16 }, () => model.forward(x));
    const loss = ntXent(out.z.float(), { temperature: 0.5 }).loss; // () float32
    opt.zeroGrad();
    loss.backward();
    const grads = cat(model.parameters().map((p) => p.grad!.flatten())).toFlatArray(); // (P,)
    opt.step();
    return { loss: loss.item() as number, zDtype: out.z.dtype, grads: Float32Array.from(grads) };
  });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
  return ab / Math.sqrt(aa * bb);
}

function runningStats(model: SimCLRModel): Tensor[] {
  return [...model.namedBuffers()].filter(([name]) => /running_(mean|var)$/.test(name)).map(([, t]) => t);
}

describe('bfloat16 autocast training step (CPU)', () => {
  it('tracks float32 from the same weights: loss within 1%, gradients aligned; weights, gradients, BN statistics stay float32', () => {
    const before = liveTensors();
    const views = tidy(() => rand([16, 1, 16, 16])); // (2N, 1, H, W): N = 8 images, two views
    const [fp32, bf16] = [smallModel(), smallModel()];
    const [optA, optB] = [fp32, bf16].map((m) => new SGD(m.parameters(), { lr: 0.005, momentum: 0.9 }));
    const start = tidy(() => bf16.parameters().map((p) => p.toFlatArray()));
    const a = step(fp32, optA, views, false);
    const b = step(bf16, optB, views, true);
    assert.deepEqual([a.zDtype, b.zDtype], ['float32', 'bfloat16'], 'autocast reached the model');
    assert.ok(Math.abs(a.loss - b.loss) <= 0.01 * a.loss, `loss ${b.loss} (bf16) vs ${a.loss} (fp32)`);
    const c = cosine(a.grads, b.grads);
    assert.ok(c > 0.97, `gradient cosine ${c}`);
    tidy(() => {
      for (const p of bf16.parameters()) assert.deepEqual([p.dtype, p.grad!.dtype], ['float32', 'float32']);
      assert.ok(bf16.parameters().some((p, i) => p.toFlatArray().some((v, j) => v !== start[i][j])), 'the step updated the float32 weights');
    });
    const stats = runningStats(bf16);
    assert.ok(stats.length > 10, `found ${stats.length} running statistics`);
    tidy(() => {
      for (const [i, t] of stats.entries()) {
        assert.equal(t.dtype, 'float32');
        const gap = t.sub(runningStats(fp32)[i]).abs().max().item() as number;
        assert.ok(gap < 0.02 * (1 + (t.abs().max().item() as number)), `running statistic ${i} is off by ${gap}`);
      }
    });
    for (const x of [fp32, bf16, optA, optB, views]) x.dispose();
    assert.equal(liveTensors(), before, 'no tensor outlives the steps');
  });

  it('trains: bfloat16 steps lower the loss as float32 steps do', () => {
    const views = tidy(() => rand([16, 1, 16, 16])); // (2N, 1, H, W)
    const losses = [false, true].map((bf16) => {
      const model = smallModel();
      const opt = new SGD(model.parameters(), { lr: 0.005, momentum: 0.9 });
      const trace = Array.from({ length: STEPS }, () => step(model, opt, views, bf16).loss);
      model.dispose();
      opt.dispose();
      return trace;
    });
    views.dispose();
    for (const [name, trace] of [['fp32', losses[0]], ['bf16', losses[1]]] as const) {
      assert.ok(trace[STEPS - 1] < 0.75 * trace[0], `${name}: loss ${trace.map((l) => l.toFixed(3)).join(' -> ')}`);
    }
  });
});
