// Memory: 1000 training steps of a small net (forward, backward, optimiser step, all inside tidy) leave the
// live-tensor count and tensor bytes unchanged and resident memory flat (RSS at step 1000 vs step 200).
// Each step yields to the event loop, as a real training loop does: N-API runs handle finalizers there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BatchNorm1d, Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { LARS, SGD, type GroupOptions, type Optimizer } from '../../src/optim/index.js';
import { F, liveTensorBytes, liveTensors, manualSeed, randint, randn, tidy } from '../../src/tensor/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void; // a full collection before each reading

const STEPS = 1000;
const WARMUP = 200;
const RSS_TOLERANCE = 0.03;

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

async function reading(): Promise<{ live: number; bytes: number; rss: number }> {
  gc();
  await yieldToEventLoop(); // let pending finalizers run
  return { live: liveTensors(), bytes: liveTensorBytes(), rss: process.memoryUsage().rss };
}

const OPTIMISERS: Record<string, (params: import('../../src/nn/index.js').Parameter[]) => Optimizer<GroupOptions>> = {
  LARS: (p) => new LARS(p, { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }),
  SGD: (p) => new SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
};

describe('memory over a long training run', () => {
  for (const [name, make] of Object.entries(OPTIMISERS)) {
    it(`${name}: ${STEPS} steps keep live tensors and bytes unchanged, RSS within ${RSS_TOLERANCE * 100}% after warm-up`, async (t) => {
      manualSeed(2);
      const model = new Sequential(
        new Linear({ inFeatures: 16, outFeatures: 32 }), new BatchNorm1d({ numFeatures: 32 }), new ReLU(),
        new Linear({ inFeatures: 32, outFeatures: 4 }),
      );
      const opt = make(model.parameters());
      let atWarmup = await reading();
      for (let step = 1; step <= STEPS; step++) {
        tidy(() => {
          const x = randn([32, 16]); // (N, 16)
          const y = randint(0, 4, [32]); // (N,)
          F.crossEntropy(model.forward(x), y).backward();
          opt.step();
          opt.zeroGrad();
        });
        await yieldToEventLoop();
        if (step === WARMUP) atWarmup = await reading();
      }
      const atEnd = await reading();
      const growth = (atEnd.rss - atWarmup.rss) / atWarmup.rss;
      t.diagnostic(`RSS ${(atWarmup.rss / 2 ** 20).toFixed(1)} MiB at step ${WARMUP}, ${(atEnd.rss / 2 ** 20).toFixed(1)} MiB at step ${STEPS} (${(growth * 100).toFixed(2)}%)`);
      assert.equal(atEnd.live, atWarmup.live, 'live tensors unchanged');
      assert.equal(atEnd.bytes, atWarmup.bytes, 'tensor bytes unchanged');
      assert.ok(Math.abs(growth) < RSS_TOLERANCE, `RSS changed by ${(growth * 100).toFixed(2)}%`);
      opt.dispose();
      model.dispose();
    });
  }
});
