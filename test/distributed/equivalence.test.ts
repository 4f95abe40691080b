// The data-parallel contract: 2 workers x batch B train exactly like 1 worker x batch 2B (same seed and data order),
// with synchronised batch norm, negatives gathered from both workers and gradients averaged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { singleProcess } from '../../src/distributed/world.js';
import { assertAllSucceeded, assertSavedWeightsClose, resultOf, runWorkers, workerScript } from './helpers.js';
import { TINY, trainTiny } from './workers/train_tiny.js';

test('2 workers x batch B: same loss sequence and final weights as 1 worker x batch 2B', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simclr-dp-'));
  const weightsPath = join(dir, 'final.safetensors');
  try {
    const workers = await runWorkers(workerScript('train_tiny.ts'), 2, { args: [weightsPath], timeoutMs: 120_000 });
    assertAllSucceeded(workers);
    const reference = trainTiny(singleProcess);
    const [r0, r1] = workers.map((w) => resultOf<{ losses: number[] }>(w));
    assert.equal(reference.losses.length, TINY.steps);
    assert.deepEqual(r0.losses, r1.losses, 'both ranks log the same global-batch loss');
    // Relative: the official NT-Xent scale (two directions summed) is about 9 here; float32 rounding of a different
    // per-convolution batch gives ~2e-6 of it by step 3.
    r0.losses.forEach((l, i) => assert.ok(Math.abs(l - reference.losses[i]) < 5e-6 * Math.abs(reference.losses[i]), `step ${i}: loss ${l} with 2 workers vs ${reference.losses[i]} with 1`));
    assert.ok(reference.maxUpdate > 0.02, `the weights moved (largest change ${reference.maxUpdate})`);
    // Float rounding differs (batch 4 vs 8 per convolution, composed vs fused batch norm): ~1e-6 after 4 steps.
    assertSavedWeightsClose(weightsPath, reference.state, 2e-5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
