// kill -9 at seeded random moments of a tiny pretraining run that checkpoints every step (so many kills land inside a
// checkpoint write), each trial then resumed with --resume to the end: the final weights and optimiser state are the
// same bytes as an uninterrupted run's, the logged losses are the same, and no temp file is left behind.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, test } from 'node:test';
import { seededRandom } from '../../src/report/embedding_map.js';
import { sleep, startCli } from './process_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'simclr-kill9-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Small IDX files (256 train, 64 test images of 28x28, 10 classes), so each start loads its data at once. */
function writeIdx(name: string, dims: number[], value: (i: number) => number): string {
  const count = dims.reduce((a, b) => a * b, 1);
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08; // unsigned bytes
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([head, Buffer.from(Array.from({ length: count }, (_, i) => value(i) & 0xff))]));
  return path;
}
const pixels = (seed: number) => (i: number) => ((i * 2654435761 + seed) >>> 24) ^ (Math.floor(i / 784) * 31);
const data = `idx:${[writeIdx('train-images', [256, 28, 28], pixels(1)), writeIdx('train-labels', [256], (i) => i % 10),
  writeIdx('test-images', [64, 28, 28], pixels(2)), writeIdx('test-labels', [64], (i) => (i * 3) % 10)].join(',')}`;

const STEPS = 10;
const TRIALS = 6;
const args = (out: string) => ['pretrain', '--preset', 'tiny', '--data', data, '--threads', '1', '--quiet', '--steps', String(STEPS),
  '--checkpoint-every', '1', '--keep-checkpoints', '2', '--knn-train-limit', '64', '--out', out];
const final = `step-${String(STEPS).padStart(7, '0')}`;

/** Files whose name says atomic-write temp, anywhere under `root`. */
function tempFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

/** Losses by step from metrics.jsonl (step records only). */
function losses(out: string): Array<[number, number]> {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((r) => typeof r.loss === 'number').map((r) => [r.step, r.loss]);
}

async function run(out: string, extra: string[] = []): Promise<void> {
  const p = startCli([...args(out), ...extra]);
  const e = await p.exit;
  assert.equal(e.code, 0, `exit ${e.code ?? e.signal}; stderr:\n${p.stderr}`);
}

/**
 * Starts the run and SIGKILLs it: 'write' mode at the n-th temp file created in checkpoints/ (inside a checkpoint
 * write), 'time' mode `delayMs` after the first checkpoint appears. Returns what the kill left behind.
 */
async function killedRun(out: string, mode: 'write' | 'time', n: number, delayMs: number): Promise<{ orphans: number; checkpoints: number }> {
  mkdirSync(join(out, 'checkpoints'), { recursive: true }); // watched from the start
  const p = startCli(args(out));
  const temps = new Set<string>(); // a temp file shows up twice (created, renamed away)
  let firstCheckpoint: (() => void) | null = null;
  const checkpointSeen = new Promise<void>((resolve) => (firstCheckpoint = resolve));
  const watcher = watch(join(out, 'checkpoints'), (_, name) => {
    if (!name?.endsWith('.tmp')) return;
    temps.add(name);
    if (mode === 'write' && temps.size === n) p.child.kill('SIGKILL');
    firstCheckpoint?.();
  });
  try {
    if (mode === 'time') {
      await Promise.race([checkpointSeen, p.exit]);
      await sleep(delayMs);
      p.child.kill('SIGKILL');
    }
    const e = await p.exit;
    assert.ok(e.signal === 'SIGKILL' || e.code === 0, `exit ${e.code ?? e.signal}; stderr:\n${p.stderr}`);
  } finally {
    watcher.close();
  }
  const files = readdirSync(join(out, 'checkpoints'));
  return { orphans: tempFiles(out).length, checkpoints: files.filter((f) => /^step-\d+\.json$/.test(f)).length };
}

test(`kill -9 at ${TRIALS} seeded moments (in and between checkpoint writes), each resumed: the same final bytes, no orphan files`, async () => {
  const reference = join(dir, 'reference');
  const start = performance.now();
  await run(reference);
  const referenceMs = performance.now() - start;
  const bytes = (out: string, ext: string) => readFileSync(join(out, 'checkpoints', `${final}${ext}`));
  const random = seededRandom(12);
  const outcomes: string[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const out = join(dir, `trial-${t}`);
    const mode = t % 2 === 0 ? 'write' : 'time';
    // Three temp files per checkpoint (weights, optimiser state, sidecar): any of them, in any step's checkpoint.
    const n = 1 + Math.floor(random() * 3 * STEPS);
    const delayMs = Math.floor(random() * Math.min(2000, referenceMs / 3));
    const left = await killedRun(out, mode, n, delayMs);
    await run(out, ['--resume']);
    assert.deepEqual(tempFiles(out), [], `trial ${t}: temp files left after the resume`);
    assert.ok(bytes(out, '.safetensors').equals(bytes(reference, '.safetensors')), `trial ${t}: final weights differ from the uninterrupted run`);
    assert.ok(bytes(out, '.train.safetensors').equals(bytes(reference, '.train.safetensors')), `trial ${t}: optimiser/RNG state differs`);
    assert.deepEqual(losses(out), losses(reference), `trial ${t}: logged losses differ`);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.interrupted, false);
    assert.equal(typeof summary.loss, 'number');
    outcomes.push(`trial ${t}: ${mode === 'write' ? `kill at temp file #${n}` : `kill ${delayMs} ms after the first checkpoint`}; left ${left.checkpoints} complete checkpoint(s), ${left.orphans} orphan temp file(s); resumed: identical`);
  }
  console.log(`kill -9 trials (reference run ${(referenceMs / 1000).toFixed(1)} s):\n  ${outcomes.join('\n  ')}`);
});
