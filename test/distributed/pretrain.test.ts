// The pretraining stage on 2 processes: a worker killed mid-run makes the other exit non-zero naming it, the last
// checkpoint stays intact, only rank 0 writes the run folder, and resume works with the same world size only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { latestCheckpoint, loadCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { pretrain } from '../../src/pipeline/stages/pretrain.js';
import { resolvePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { dispose } from '../../src/tensor/index.js';
import { assertAllSucceeded, resultOf, runWorkers, workerScript } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'simclr-dp-pretrain-'));
const out = join(dir, 'run');
const overrides = { steps: 12, logEvery: 1, checkpointEvery: 3, threads: 1, evalLimit: 100 };
const env = { SIMCLR_PEER_TIMEOUT_S: '5', SIMCLR_DIST_TIMEOUT_S: '30' };
const metricSteps = () => readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => 'loss' in r).map((r) => r.step as number);

test('killing one worker mid-run: the other exits non-zero naming the dead rank; the last checkpoint stays intact', async () => {
  let killedAt = 0;
  const workers = await runWorkers(workerScript('pretrain_worker.ts'), 2, {
    args: [out, JSON.stringify(overrides)], env, timeoutMs: 120_000,
    onLine: (rank: number, line: string, child: ChildProcess) => {
      if (rank === 1 && line === 'step 5' && !killedAt) {
        killedAt = Date.now();
        child.kill('SIGKILL');
      }
    },
  });
  const [r0, r1] = workers;
  assert.ok(killedAt > 0, `rank 1 never reached step 5:\n${r1.stdout}\n${r1.stderr}`);
  assert.equal(r1.signal, 'SIGKILL');
  assert.equal(r0.code, 1, `rank 0 should fail; stdout:\n${r0.stdout}\nstderr:\n${r0.stderr}`);
  assert.match(r0.stderr, /failed on rank 0 of 2: rank 1 is dead/);
  const secondsAfterKill = (r0.endedAt - killedAt) / 1000;
  assert.ok(secondsAfterKill < 30, `rank 0 took ${secondsAfterKill.toFixed(1)} s after the kill to exit (collective timeout 30 s)`);
  process.stdout.write(`# rank 0 exited ${secondsAfterKill.toFixed(1)} s after the kill: ${r0.stderr.trim()}\n`);
  const latest = latestCheckpoint(RunFolder.open(out, { readOnly: true }))!;
  assert.match(latest, /step-000000[36]\.json$/);
  const { sidecar, weights } = loadCheckpoint<unknown, { worldSize: number }>(latest);
  assert.equal(sidecar.extra.worldSize, 2);
  assert.ok(weights.size > 10);
  dispose([...weights.values()]);
  assert.ok(existsSync(latest.replace(/\.json$/, '.train.safetensors')));
});

test('resume with the same world size finishes the run; only rank 0 wrote the run folder', async () => {
  const workers = await runWorkers(workerScript('pretrain_worker.ts'), 2, { args: [out, JSON.stringify(overrides), 'resume'], env, timeoutMs: 120_000 });
  assertAllSucceeded(workers);
  const [s0, s1] = workers.map((w) => resultOf<{ steps: number; checkpoint: string; loss: number }>(w));
  assert.equal(s0.steps, 12);
  assert.equal(s1.steps, 12);
  assert.equal(s0.loss, s1.loss, 'both ranks report the global-batch loss');
  assert.match(s0.checkpoint, /step-0000012\.json$/);
  assert.equal(s1.checkpoint, '', 'rank 1 writes no checkpoint');
  assert.deepEqual(metricSteps(), Array.from({ length: 12 }, (_, i) => i + 1), 'each step logged once, by rank 0');
  assert.equal(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).steps, 12);
});

test('resume with another world size is refused, naming both sizes', async () => {
  const config = resolvePretrainConfig({ preset: 'tiny', overrides });
  try {
    await assert.rejects(pretrain(config, { out, resume: true }), /written by 2 process\(es\) but this run has 1; resume with the same world size/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
