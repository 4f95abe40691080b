// Every stage data parallel: the tiny pipeline (pretrain, fine-tune, supervised baseline, self and small distillation)
// on 2 processes. Rank 0 alone writes run folders and the report, each step is logged once, both ranks agree on every
// result, checkpoints record the world size and a resume with another world size is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint, loadCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { finetune } from '../../src/pipeline/stages/finetune.js';
import { resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { dispose } from '../../src/tensor/index.js';
import { assertAllSucceeded, resultOf, runWorkers, workerScript } from './helpers.js';

interface Row { method: string; fraction: string; runDir: string; top1: number }

const STAGES = ['pretrain', 'finetune-10pct', 'supervised-10pct', 'distill-self-10pct', 'distill-small-10pct'];

test('the tiny pipeline on 2 processes: rank 0 writes, steps logged once, ranks agree, world size kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simclr-dp-pipeline-'));
  const out = join(dir, 'run');
  try {
    const workers = await runWorkers(workerScript('pipeline_worker.ts'), 2, { args: [out], env: { SIMCLR_PEER_TIMEOUT_S: '10' }, timeoutMs: 240_000 });
    assertAllSucceeded(workers);
    const [r0, r1] = workers.map((w) => resultOf<{ results: Row[]; report: string }>(w));
    assert.equal(r0.results.length, 6, 'floors (2), baseline, fine-tuned, distilled self and small');
    assert.deepEqual(r1.results.map((r) => r.top1), r0.results.map((r) => r.top1), 'sharded evaluations give every rank the same accuracies');
    assert.ok(existsSync(join(out, 'report.md')) && r0.report.endsWith('report.md'));
    assert.equal(r1.report, '', 'rank 1 writes no report');
    for (const stage of STAGES) {
      const folder = RunFolder.open(join(out, stage), { readOnly: true });
      const config = folder.readJson<{ steps: number; batchSize: number }>('config.json');
      const steps = folder.readMetrics().filter((m) => 'loss' in m).map((m) => m.step);
      const logged = stage === 'pretrain' ? 4 : config.steps; // pretrain logs every 2nd of its 8 steps
      assert.equal(steps.length, logged, `${stage}: each logged step once (${steps.join(',')})`);
      const summary = folder.readJson<{ steps: number; images_per_s: number }>('summary.json');
      assert.equal(summary.steps, config.steps, `${stage}: ran all steps`);
      const { sidecar, weights } = loadCheckpoint<unknown, { worldSize: number }>(latestCheckpoint(folder)!);
      dispose([...weights.values()]);
      assert.equal(sidecar.extra.worldSize, 2, `${stage}: checkpoint records 2 processes`);
    }
    const sha = (stage: string) => JSON.parse(readFileSync(join(out, stage, 'summary.json'), 'utf8')).labels_sha256;
    assert.equal(sha('supervised-10pct'), sha('finetune-10pct'), 'baseline and fine-tuning share the labelled subset');
    const ftConfig = RunFolder.open(join(out, 'finetune-10pct'), { readOnly: true }).readJson<Record<string, unknown>>('config.json');
    await assert.rejects(
      finetune(resolveFinetuneConfig({ overrides: ftConfig }), { out: join(out, 'finetune-10pct'), resume: true }),
      /written by 2 process\(es\) but this run has 1; resume with the same world size/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
