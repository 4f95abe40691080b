// A small CNN learns a toy problem with each optimiser: which quadrant of an 8x8 noisy image holds a bright
// 2x2 square. The training loss must fall at least 5x in 300 steps and held-out accuracy exceed 90%.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../../src/nn/index.js';
import { AdamW, LARS, SGD, warmupCosineSchedule, type GroupOptions, type Optimizer } from '../../src/optim/index.js';
import { F, liveTensors, manualSeed, noGrad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';

const STEPS = 300;
const BATCH = 32;
const NOISE = 1.8; // uniform noise amplitude (the square adds 1): hard enough that learning takes ~100 steps

/** A seeded stream of batches: images (N, 1, 8, 8) with noise and one bright square, labels = its quadrant. */
function quadrantData(seed: number, batch = BATCH): () => { x: Tensor; y: Tensor } {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32); // LCG, reproducible
  return () => {
    const pixels = new Float32Array(batch * 64);
    const labels = new BigInt64Array(batch);
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < 64; i++) pixels[n * 64 + i] = NOISE * (rand() - 0.5);
      const q = Math.floor(rand() * 4);
      const [r0, c0] = [4 * (q >> 1) + Math.floor(rand() * 3), 4 * (q & 1) + Math.floor(rand() * 3)];
      for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]]) pixels[n * 64 + (r0 + dr) * 8 + c0 + dc] += 1;
      labels[n] = BigInt(q);
    }
    return { x: tensor(pixels, [batch, 1, 8, 8]), y: tensor(labels, [batch]) };
  };
}

function smallCnn(): Sequential {
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 8, kernelSize: 3 }), new BatchNorm2d({ numFeatures: 8 }), new ReLU(),
    new MaxPool2d(2), new Flatten(), new Linear({ inFeatures: 8 * 4 * 4, outFeatures: 4 }),
  );
}

const OPTIMISERS: Record<string, { make: (m: Sequential) => Optimizer<GroupOptions>; lr: number }> = {
  SGD: { make: (m) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }), lr: 0.05 },
  LARS: { make: (m) => new LARS(m.parameters(), { lr: 2, momentum: 0.9, weightDecay: 1e-4, eta: 0.01 }), lr: 2 },
  AdamW: { make: (m) => new AdamW(m.parameters(), { lr: 1e-2 }), lr: 1e-2 },
};

describe('a small CNN learns the quadrant task', () => {
  for (const [name, { make, lr }] of Object.entries(OPTIMISERS)) {
    it(`${name}: loss falls >= 5x in ${STEPS} steps, held-out accuracy > 90%`, (t) => {
      manualSeed(5);
      const before = liveTensors();
      const model = smallCnn();
      const opt = make(model);
      const schedule = warmupCosineSchedule({ lr, totalSteps: STEPS, warmupSteps: 15 });
      const next = quadrantData(17);
      const losses: Tensor[] = []; // kept on the device, read once at the end: no per-step host sync
      for (let step = 0; step < STEPS; step++) {
        opt.setLr(schedule(step));
        losses.push(tidy(() => {
          const { x, y } = next();
          const loss = F.crossEntropy(model.forward(x), y); // ()
          loss.backward();
          return loss.detach();
        }));
        opt.step();
        opt.zeroGrad();
      }
      const curve = losses.map((l) => l.item());
      for (const l of losses) l.dispose();
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      const [first, last] = [mean(curve.slice(0, 3)), mean(curve.slice(-20))];
      assert.ok(first > 1.2, `initial loss ${first} is near ln 4`);
      assert.ok(last < first / 5, `loss fell from ${first.toFixed(3)} to ${last.toFixed(3)} (needs 5x)`);
      model.eval();
      const test = quadrantData(12345, 512);
      const accuracy = tidy(() => noGrad(() => {
        const { x, y } = test();
        return model.forward(x).argmax(1).eq(y).float().mean().item();
      }));
      t.diagnostic(`loss ${first.toFixed(3)} -> ${last.toFixed(3)} (${(first / last).toFixed(1)}x), held-out accuracy ${accuracy.toFixed(3)}`);
      assert.ok(accuracy > 0.9, `held-out accuracy ${accuracy}`);
      opt.dispose();
      model.dispose();
      assert.equal(liveTensors(), before, 'no tensor leaks');
    });
  }
});
