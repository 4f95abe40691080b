// SIGINT/SIGTERM in every long phase of the command line, as a user's Ctrl-C or a scheduler's SIGTERM: training,
// the final kNN of pretraining, `eval` (feature extraction for the linear probe, kNN), `predict` and `embed`. Each
// exits within 5 s with 130 (SIGINT) or 143 (SIGTERM), training leaves a checkpoint, and a second signal ends the
// process at once. Prints the signal-to-exit latency of each phase.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { buildModel } from '../../src/models/simclr_model.js';
import { saveCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { signalAndWait, sleep, startCli, type CliProcess } from './process_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'simclr-signals-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const latencies: string[] = [];
after(() => console.log(`signal-to-exit latency by phase:\n  ${latencies.join('\n  ')}`));

const LIMIT_MS = 5000;
const tiny = ['--preset', 'tiny', '--threads', '1', '--quiet'];
const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));

/** Sends `signal` to a process in `phase`; checks the exit code (128 + signal number) and the 5 s bound. */
async function interrupt(p: CliProcess, signal: NodeJS.Signals, phase: string, o: { group?: boolean } = {}): Promise<void> {
  const e = await signalAndWait(p, signal, o);
  latencies.push(`${phase} (${signal}): ${e.latencyMs.toFixed(0)} ms`);
  assert.equal(e.code, signal === 'SIGINT' ? 130 : 143, `${phase}: exit ${e.code ?? e.signal}; stderr:\n${p.stderr}`);
  assert.ok(e.latencyMs < LIMIT_MS, `${phase}: exited ${e.latencyMs.toFixed(0)} ms after ${signal}`);
  assert.doesNotMatch(p.stderr, /\n\s+at /, 'no stack trace');
}

/** A stopped pretraining run: summary says interrupted and names a complete checkpoint at the step it reached. */
function assertSaved(out: string): void {
  const s = summaryOf(out);
  assert.equal(s.interrupted, true);
  assert.ok(s.steps >= 1, `steps ${s.steps}`);
  assert.equal(s.checkpoint, join(out, 'checkpoints', `step-${String(s.steps).padStart(7, '0')}.json`));
  for (const ext of ['.json', '.safetensors', '.train.safetensors']) assert.ok(existsSync(s.checkpoint.replace(/\.json$/, ext)), `missing ${ext}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during pretraining steps: checkpoint at the step reached, exit ${signal === 'SIGINT' ? 130 : 143}`, async () => {
    const out = join(dir, `train-${signal}`);
    const p = startCli(['pretrain', ...tiny, '--steps', '5000', '--checkpoint-every', '0', '--out', out]);
    await p.waitFor(/\[pretrain\] step \d+\//);
    await interrupt(p, signal, 'pretraining steps');
    assertSaved(out);
    assert.match(p.stderr, /stopped \(SIGINT|stopped \(SIGTERM/);
  });
}

test('Ctrl-C (SIGINT to the process group) of `launch --nproc 2 -- pretrain`: the workers stop together and checkpoint once, exit 130', async () => {
  const out = join(dir, 'launch');
  const p = startCli(['launch', '--nproc', '2', '--threads-per-proc', '1', '--', 'pretrain', ...tiny, '--steps', '5000', '--checkpoint-every', '0', '--out', out], { detached: true });
  await p.waitFor(/\[rank 0\] \[pretrain\] step \d+\//);
  await interrupt(p, 'SIGINT', 'launch --nproc 2, pretraining steps', { group: true });
  assertSaved(out);
});

// The final evaluation of a 1-step run: the kNN bank over 20000 training images takes many seconds on one thread.
const evalRun = join(dir, 'final-knn');
test('SIGINT during the final kNN of pretraining: the trained step is saved, figures null, exit 130', async () => {
  const p = startCli(['pretrain', ...tiny, '--steps', '1', '--train-limit', '20000', '--knn-train-limit', '0', '--eval-limit', '2000', '--out', evalRun]);
  await p.waitFor(/final evaluation: kNN with a bank of 20000/);
  await sleep(300); // inside the bank's feature extraction
  await interrupt(p, 'SIGINT', 'pretraining final kNN');
  assertSaved(evalRun);
  assert.equal(summaryOf(evalRun).knn_top1, null);
});

test('SIGINT during eval: feature extraction for the linear probe stops, exit 130, no summary written', async () => {
  const out = join(dir, 'eval-out');
  const p = startCli(['eval', evalRun, '--data', 'fashion-mnist', '--linear', '--train-limit', '20000', '--limit', '1000', '--threads', '1', '--out', out]);
  await p.waitFor(/\[eval\] linear probe: features of 20000/);
  await sleep(300);
  await interrupt(p, 'SIGINT', 'eval linear-probe features');
  assert.match(p.stderr, /stopped by SIGINT/);
  assert.ok(!existsSync(join(out, 'summary.json')));
});

test('a second SIGINT during eval kNN ends the process at once', async () => {
  const p = startCli(['eval', evalRun, '--data', 'fashion-mnist', '--knn', '--train-limit', '20000', '--limit', '1000', '--threads', '1']);
  await p.waitFor(/\[eval\] kNN: bank of 20000/);
  p.child.kill('SIGINT');
  await sleep(200); // the first one is handled: the second meets the default action
  const e = await signalAndWait(p, 'SIGINT');
  latencies.push(`second signal, eval kNN (SIGINT): ${e.latencyMs.toFixed(0)} ms`);
  assert.ok(e.signal === 'SIGINT' || e.code === 130, `exit ${e.code ?? e.signal}`);
  assert.ok(e.latencyMs < 1000, `exited ${e.latencyMs.toFixed(0)} ms after the second signal`);
});

// Inference: a classifier checkpoint whose forward pass is slow (ResNet-18 x0.5 at 224 px, ~35 ms an image on one
// thread) over 120 small PNGs, four per batch.
const images = join(dir, 'images');
const classifier = join(dir, 'classifier');
test('inference inputs', async () => {
  mkdirSync(images);
  for (let i = 0; i < 120; i++) {
    const px = Buffer.alloc(16 * 16 * 3, (i * 37) % 256);
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(images, `${i}.png`));
  }
  const model = buildModel({ depth: 18, widthMultiplier: 0.5, imageSize: 224, inChannels: 3, numClasses: 10 });
  saveCheckpoint(RunFolder.open(classifier), { kind: 'finetune', step: 0, model, description: model.description, extra: {} });
  model.dispose();
});

for (const [command, signal] of [['predict', 'SIGINT'], ['embed', 'SIGTERM']] as const) {
  test(`${signal} during ${command}: stops between batches, exit ${signal === 'SIGINT' ? 130 : 143}, no output file`, async () => {
    const out = join(dir, `${command}.jsonl`);
    const p = startCli([command, classifier, '--images', images, '--out', out, '--batch-size', '4']);
    await p.waitFor(new RegExp(`\\[${command}\\] 0/120 images`));
    await sleep(300);
    await interrupt(p, signal, `${command} forward passes`);
    assert.ok(!existsSync(out));
  });
}
