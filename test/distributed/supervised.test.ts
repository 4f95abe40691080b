// Fine-tuning and distillation data parallel: 2 workers x batch B train exactly like 1 worker x batch 2B (synchronised
// batch norm, gradients averaged; for distillation the frozen teacher and the labelled alpha batch are sharded too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { singleProcess } from '../../src/distributed/world.js';
import { assertAllSucceeded, assertSavedWeightsClose, resultOf, runWorkers, workerScript } from './helpers.js';
import { SUPERVISED_TINY, trainSupervisedTiny } from './workers/supervised_tiny.js';

test('finetune and distill steps: 2 workers x batch B give the losses and weights of 1 worker x batch 2B', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simclr-dp-sup-'));
  const weightsPath = join(dir, 'final.safetensors');
  try {
    const workers = await runWorkers(workerScript('supervised_tiny.ts'), 2, { args: [weightsPath], timeoutMs: 120_000 });
    assertAllSucceeded(workers);
    const reference = trainSupervisedTiny(singleProcess);
    const [r0, r1] = workers.map((w) => resultOf<{ finetuneLosses: number[]; distillLosses: number[] }>(w));
    assert.deepEqual([r0.finetuneLosses, r0.distillLosses], [r1.finetuneLosses, r1.distillLosses], 'every rank computes the same global loss');
    for (const [name, got, want] of [['finetune', r0.finetuneLosses, reference.finetuneLosses], ['distill', r0.distillLosses, reference.distillLosses]] as const) {
      assert.equal(want.length, SUPERVISED_TINY.steps);
      got.forEach((l, i) => assert.ok(Math.abs(l - want[i]) < 1e-5, `${name} step ${i}: loss ${l} with 2 workers vs ${want[i]} with 1`));
    }
    assert.ok(reference.maxUpdate > 0.01, `the weights moved (largest change ${reference.maxUpdate})`);
    assertSavedWeightsClose(weightsPath, reference.state, 2e-5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
