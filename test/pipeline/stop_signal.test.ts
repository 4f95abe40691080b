// Stop requests inside long phases: kNN scoring, feature extraction, both linear-probe solvers and inference reject
// promptly with an AbortError and leak no tensor; a stage stopped in its final evaluation keeps its checkpoint, and the
// resume that only redoes the evaluation keeps the logged loss; orphan temp files of a killed writer are removed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, test } from 'node:test';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { knnScores } from '../../src/eval/knn.js';
import { buildModel } from '../../src/models/simclr_model.js';
import type { StageEvent } from '../../src/pipeline/run/events.js';
import { extractFeatures } from '../../src/pipeline/stages/features.js';
import { finetune } from '../../src/pipeline/stages/finetune.js';
import { resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { trainLinearProbe } from '../../src/eval/linear_probe.js';
import { fitLogisticLbfgs } from '../../src/eval/logistic_lbfgs.js';
import { removeOrphanTemps } from '../../src/pipeline/run/orphan_temps.js';
import { loadModel } from '../../src/pipeline/stages/predict.js';
import { pretrain } from '../../src/pipeline/stages/pretrain.js';
import { resolvePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { isAbortError, signalExitCode, StopSignal } from '../../src/pipeline/run/stop_signal.js';
import { dispose, keep, liveTensors, manualSeed, randint, randn, tidy } from '../../src/tensor/index.js';
import { readJson, tempDir, writeFinetuneCheckpoint, writePretrainCheckpoint } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-stop-');
after(cleanup);
const stepRecords = (out: string) => readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number>);

/** Aborts `controller` after `ms`; resolves the time from abort() to the promise's rejection, checking it is an AbortError. */
async function abortLatency(run: (signal: AbortSignal) => Promise<unknown>, ms: number): Promise<number> {
  const controller = new AbortController();
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort(new DOMException('test stop', 'AbortError'));
  }, ms);
  await assert.rejects(run(controller.signal), (err) => isAbortError(err));
  assert.ok(abortedAt > 0, 'the phase ended before the stop: make it longer');
  return performance.now() - abortedAt;
}

test('exit codes follow the shell convention; a request aborts the signal once, with an AbortError', () => {
  assert.equal(signalExitCode('SIGINT'), 130);
  assert.equal(signalExitCode('SIGTERM'), 143);
  const stop = new StopSignal();
  assert.equal(stop.signal.aborted, false);
  stop.request('SIGTERM');
  stop.request('SIGINT');
  assert.equal(stop.requested, 'SIGTERM');
  assert.ok(stop.signal.aborted && isAbortError(stop.signal.reason));
  assert.match(String((stop.signal.reason as Error).message), /SIGTERM/);
});

test('kNN scoring, feature extraction and both probe solvers stop within a chunk, leaking no tensor', async () => {
  manualSeed(0);
  const before = liveTensors();
  const [bank, bankLabels, queries] = [keep(randn([4000, 32])), keep(randint(0, 10, [4000], { dtype: 'int64' })), keep(randn([20000, 32]))];
  const knnMs = await abortLatency((signal) => knnScores(bank, bankLabels, queries, { k: 20, numClasses: 10, chunkSize: 64, signal }), 30);
  const model = buildModel({ depth: 18, widthMultiplier: 0.125, imageSize: 28, inChannels: 1 });
  const images = new InMemoryDataset({ name: 'noise', images: new Uint8Array(3000 * 28 * 28).map((_, i) => (i * 7919) % 251), height: 28, width: 28, channels: 1 });
  const extractMs = await abortLatency((signal) => extractFeatures(model, images, 'h', { batchSize: 32, signal }), 30);
  assert.equal(model.training, true, 'the model is back in training mode');
  model.dispose();
  const [x, y] = [keep(randn([20000, 64])), keep(randint(0, 10, [20000], { dtype: 'int64' }))];
  const lbfgsMs = await abortLatency((signal) => fitLogisticLbfgs(x, y, { numClasses: 10, l2: 1e-4, maxIterations: 100000, tolerance: -1, functionTolerance: -Infinity, signal }), 100);
  const adamwMs = await abortLatency((signal) => trainLinearProbe(x, y, x, y, { numClasses: 10, solver: 'adamw', epochs: 100000, batchSize: 256, signal }), 100);
  dispose([bank, bankLabels, queries, x, y]);
  assert.equal(liveTensors(), before, 'a stopped phase leaves no tensor alive');
  console.log(`stop latency in-process: kNN scoring ${knnMs.toFixed(0)} ms, feature extraction ${extractMs.toFixed(0)} ms, L-BFGS ${lbfgsMs.toFixed(0)} ms, AdamW probe ${adamwMs.toFixed(0)} ms`);
  for (const ms of [knnMs, extractMs, lbfgsMs, adamwMs]) assert.ok(ms < 2000, `stopped after ${ms.toFixed(0)} ms`);
});

test('embed and predict stop between batches and report their progress', async () => {
  const classifier = writeFinetuneCheckpoint(join(dir, 'finetune'), writePretrainCheckpoint(join(dir, 'pretrain')));
  const before = liveTensors();
  const m = await loadModel(classifier);
  const images = keep(tidy(() => randint(0, 256, [2000, 1, 28, 28], { dtype: 'uint8' }))); // (2000, 1, 28, 28)
  try {
    const seen: number[] = [];
    const controller = new AbortController();
    const onProgress = (done: number) => (seen.push(done), done >= 64 && controller.abort(new DOMException('test stop', 'AbortError')));
    await assert.rejects(m.predict(images, { batchSize: 32, signal: controller.signal, onProgress }), (err) => isAbortError(err));
    assert.deepEqual(seen, [0, 32, 64], 'the pass stops at the first batch boundary after the request');
    await assert.rejects(m.embed(images, { batchSize: 32, signal: AbortSignal.abort(new DOMException('test stop', 'AbortError')) }), (err) => isAbortError(err));
  } finally {
    images.dispose();
    m.dispose();
  }
  assert.equal(liveTensors(), before);
});

test('fine-tuning stopped in its final evaluation keeps its last checkpoint; the resume redoes only the evaluation and keeps the loss', async () => {
  const config = resolveFinetuneConfig({ preset: 'tiny', overrides: { from: join(dir, 'pretrain'), steps: 4, checkpointEvery: 0, evalLimit: 64 } });
  const out = join(dir, 'ft');
  const stop = new StopSignal();
  const onEvent = (e: StageEvent) => e.type === 'step' && e.step === 4 && stop.request('test'); // during the last step
  const first = await finetune(config, { out, stop, onEvent });
  assert.equal(first.interrupted, true);
  assert.equal(first.steps, 4);
  assert.equal(first.top1, null, 'the final evaluation did not run');
  assert.ok(existsSync(join(out, 'checkpoints', 'step-0000004.json')), 'the trained steps are saved');
  const events: StageEvent[] = [];
  const second = await finetune(config, { out, resume: true, onEvent: (e) => events.push(e) });
  assert.equal(second.interrupted, false);
  assert.equal(events.filter((e) => e.type === 'step').length, 0, 'no step is redone');
  assert.ok(typeof second.top1 === 'number' && typeof second.loss === 'number', `top1 ${second.top1}, loss ${second.loss}`);
  assert.equal(second.loss, first.loss);
  assert.equal(second.train_top1, first.train_top1);
});

test('fine-tuning stopped inside a validation between steps redoes it on resume: the same validation records as an uninterrupted run', async () => {
  // 27 labelled images in batches of 16: one step per epoch, so a validation after every step.
  const config = resolveFinetuneConfig({ preset: 'tiny', overrides: { from: join(dir, 'pretrain'), steps: 4, valSplit: 32, evalEvery: 1, evalLimit: 32 } });
  const valRecords = (out: string) => stepRecords(out).filter((r) => 'val_top1' in r).map((r) => [r.step, r.val_top1]);
  await finetune(config, { out: join(dir, 'ft-whole') });
  const out = join(dir, 'ft-val');
  const stop = new StopSignal();
  const first = await finetune(config, { out, stop, onEvent: (e) => e.type === 'step' && e.step === 2 && stop.request('test') });
  assert.equal(first.interrupted, true);
  assert.equal(first.steps, 2);
  assert.ok(existsSync(join(out, 'checkpoints', 'step-0000002.json')));
  assert.deepEqual(valRecords(out).map(([step]) => step), [1], 'the validation at step 2 was stopped');
  await finetune(config, { out, resume: true });
  assert.deepEqual(valRecords(out), valRecords(join(dir, 'ft-whole')));
});

test('pretraining: the kNN bank is the first min(trainLimit, knnTrainLimit) images; a stop in the final kNN keeps the step, the resume keeps the loss', async () => {
  const out = join(dir, 'pre');
  const config = resolvePretrainConfig({ preset: 'tiny', overrides: { trainLimit: 96, knnTrainLimit: 0, steps: 3, checkpointEvery: 0, evalLimit: 64, threads: 1 } });
  const stop = new StopSignal();
  const first = await pretrain(config, { out, stop, onEvent: (e) => e.type === 'step' && e.step === 3 && stop.request('test') });
  assert.equal(first.interrupted, true);
  assert.equal(first.knn_top1, null);
  assert.ok(existsSync(join(out, 'checkpoints', 'step-0000003.json')));
  const second = await pretrain(config, { out, resume: true });
  assert.equal(second.interrupted, false);
  assert.equal(second.knn_train_images, 96, 'the bank honours trainLimit when knnTrainLimit is 0');
  assert.ok(typeof second.knn_top1 === 'number');
  assert.equal(second.loss, first.loss);
  assert.equal(second.contrastive_top1, first.contrastive_top1);
  assert.deepEqual(readJson(join(out, 'summary.json')), JSON.parse(JSON.stringify(second)));
  const capped = await pretrain(resolvePretrainConfig({ preset: 'tiny', overrides: { trainLimit: 96, knnTrainLimit: 40, steps: 1, evalLimit: 32, threads: 1 } }), { out: join(dir, 'pre-capped') });
  assert.equal(capped.knn_train_images, 40);
});

test('orphan temp files of a dead writer are removed when the run folder opens again; a live writer keeps its own', () => {
  const out = join(dir, 'orphans');
  RunFolder.open(out);
  mkdirSync(join(out, 'checkpoints'));
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
  const orphan = join(out, 'checkpoints', `.step-0000003.safetensors.${dead}.0badc0de.tmp`);
  const live = join(out, 'checkpoints', `.step-0000003.json.${process.pid}.00c0ffee.tmp`);
  const rootOrphan = join(out, `.summary.json.${dead}.12345678.tmp`);
  const userFile = join(out, 'checkpoints', 'notes.tmp');
  for (const f of [orphan, live, rootOrphan, userFile]) writeFileSync(f, 'x');
  assert.deepEqual(removeOrphanTemps(join(out, 'missing')), []);
  RunFolder.open(out, { resume: true });
  assert.deepEqual([orphan, live, rootOrphan, userFile].map(existsSync), [false, true, false, true]);
});
