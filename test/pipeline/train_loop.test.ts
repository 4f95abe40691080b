// The one training loop (issue 15 section 1) with a scripted step: logged scalars are means over each logging
// window, a monitor records without choosing a 'best' checkpoint while a validation score does, extra state and
// every loader position survive a checkpoint, and a sidecar in the format before the one loop still resumes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { buildModel } from '../../src/models/simclr_model.js';
import { SGD, constantSchedule } from '../../src/optim/index.js';
import { latestCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { runTrainingLoop, type Metrics, type PeriodicEvaluation, type TrainingRun } from '../../src/pipeline/run/train_loop.js';
import { liveTensors, tensor, type Tensor } from '../../src/tensor/index.js';
import { StopSignal } from '../../src/pipeline/run/stop_signal.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('simclr-loop-');
after(tmp.cleanup);

const data = new InMemoryDataset({ name: 'eight', images: new Uint8Array(8 * 4 * 4), height: 4, width: 4, channels: 1, labels: new Int32Array(8) });

interface Scripted {
  run: TrainingRun;
  periodicCalls: number[];
  extra: { value: number };
  dispose(): void;
}

/** A run whose step k (1-based) reports loss = k and consumes one batch; periodic evaluations return `scores[i]`. */
function scriptedRun(out: string, o: { totalSteps: number; logEvery: number; evalEvery?: number; kind?: PeriodicEvaluation['kind']; scores?: number[]; checkpointEvery?: number }): Scripted {
  const model = buildModel({ depth: 18, widthMultiplier: 0.0625, inChannels: 1, imageSize: 4, numClasses: 0, projHead: { mode: 'none', numLayers: 0 } });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const loader = new DataLoader(data, { batchSize: 2, seed: 1 }); // 4 batches per epoch
  const periodicCalls: number[] = [];
  const extra = { value: 0 };
  let steps = 0;
  const run: TrainingRun = {
    stage: 'scripted', folder: RunFolder.open(out, { resume: true }), model, optimizer, schedule: constantSchedule(0.1), totalSteps: o.totalSteps,
    batchesPerEpoch: loader.batchesPerEpoch, loaders: { train: loader }, checkpointExtra: {}, message: 'scripted',
    settings: { logEvery: o.logEvery, checkpointEvery: o.checkpointEvery ?? 0, keepCheckpoints: 0, evalEvery: o.evalEvery ?? 0 },
    step: () => {
      const batch = loader.next();
      batch.x?.dispose();
      batch.labels?.dispose();
      steps += 1;
      extra.value = steps * 10;
      return { scalars: { loss: tensor(steps) }, images: 2, waitMs: 0, epoch: batch.epoch };
    },
    evaluate: async () => ({ test_top1: 0.5 }),
    periodic: o.kind ? { kind: o.kind, evaluate: async (): Promise<Metrics> => (periodicCalls.push(steps), { val_top1: o.scores![periodicCalls.length - 1] }), score: (m) => m.val_top1 } : undefined,
    extraState: {
      save: () => ({ extra: { scripted: extra.value }, tensors: new Map<string, Tensor>([['marker', tensor([extra.value])]]) }),
      restore: (e, tensors) => {
        assert.equal(tensors.get('marker')!.item(), e.scripted);
        extra.value = e.scripted as number;
        steps = extra.value / 10;
      },
    },
  };
  return { run, periodicCalls, extra, dispose: () => (model.dispose(), optimizer.dispose()) };
}

test('logged scalars are means over each logging window, not the last step', async () => {
  const s = scriptedRun(`${tmp.dir}/window`, { totalSteps: 5, logEvery: 2 });
  const before = liveTensors();
  await runTrainingLoop(s.run, { emit: () => {} });
  const losses = s.run.folder.readMetrics().filter((r) => 'loss' in r).map((r) => [r.step, r.loss]);
  assert.deepEqual(losses, [[2, 1.5], [4, 3.5], [5, 5]]); // steps 1-2, 3-4, then the last step alone
  s.dispose();
  assert.ok(liveTensors() <= before, 'the loop leaves no tensor behind');
});

test('a monitor records every evalEvery epochs but never at the last step and chooses no best checkpoint', async () => {
  const s = scriptedRun(`${tmp.dir}/monitor`, { totalSteps: 12, logEvery: 4, evalEvery: 1, kind: 'monitor', scores: [0.9, 0.1] });
  const r = await runTrainingLoop(s.run, { emit: () => {} });
  assert.deepEqual(s.periodicCalls, [4, 8]);
  assert.equal(r.best, null);
  assert.equal(r.bestCheckpoint, null);
  assert.equal(r.lastEval?.test_top1, 0.5);
  s.dispose();
});

test('a validation score runs at the end too and keeps the best step as the best checkpoint', async () => {
  const s = scriptedRun(`${tmp.dir}/validation`, { totalSteps: 12, logEvery: 4, evalEvery: 1, kind: 'validation', scores: [0.2, 0.7, 0.4] });
  const r = await runTrainingLoop(s.run, { emit: () => {} });
  assert.deepEqual(s.periodicCalls, [4, 8, 12]);
  assert.equal(r.best?.step, 8);
  assert.equal(r.best?.val_top1, 0.7);
  const best = JSON.parse(readFileSync(r.bestCheckpoint!, 'utf8')) as { step: number };
  assert.equal(best.step, 8);
  s.dispose();
});

test('extra state and loader positions resume; a sidecar from before the one loop (extra.loader, accuracy fields) too', async () => {
  const dir = `${tmp.dir}/resume`;
  const first = scriptedRun(dir, { totalSteps: 6, logEvery: 1, checkpointEvery: 3 });
  first.run.totalSteps = 3; // stop after the step-3 checkpoint, as an interrupted run would
  await runTrainingLoop(first.run, { emit: () => {} });
  first.dispose();
  // Rewrite the sidecar into the old pretraining format.
  const path = latestCheckpoint(RunFolder.open(dir, { resume: true }))!;
  const sidecar = JSON.parse(readFileSync(path, 'utf8'));
  sidecar.extra.loader = sidecar.extra.loaders.train;
  delete sidecar.extra.loaders;
  delete sidecar.extra.progress.evalMs;
  sidecar.extra.progress.lastEval = { top1: 0.25, top5: 0.5, step: 3 };
  writeFileSync(path, JSON.stringify(sidecar));
  const second = scriptedRun(dir, { totalSteps: 6, logEvery: 1 });
  const r = await runTrainingLoop(second.run, { emit: () => {}, resume: true });
  assert.equal(r.step, 6);
  assert.equal(second.extra.value, 60, 'extra state restored at 30, then three more steps');
  assert.deepEqual(second.run.loaders.train.state(), { epoch: 1, position: 2 }, 'six batches of four per epoch');
  assert.equal(r.lastEval?.test_top1, 0.5, 'the final evaluation ran at step 6');
  const losses = second.run.folder.readMetrics().filter((m) => 'loss' in m).map((m) => m.loss);
  assert.deepEqual(losses, [1, 2, 3, 4, 5, 6]);
  second.dispose();
});

test('a run resumed inside a logging window logs the same means as an uninterrupted one', async () => {
  const dir = `${tmp.dir}/mid-window`;
  const first = scriptedRun(dir, { totalSteps: 6, logEvery: 2 });
  const stop = new StopSignal();
  const step = first.run.step;
  first.run.step = (lr, parallel) => {
    const r = step(lr, parallel);
    if (first.extra.value === 30) stop.request('SIGINT'); // after step 3: halfway through the window of steps 3-4
    return r;
  };
  const r = await runTrainingLoop(first.run, { emit: () => {}, stop });
  assert.equal(r.step, 3);
  assert.ok(r.interrupted);
  first.dispose();
  const second = scriptedRun(dir, { totalSteps: 6, logEvery: 2 });
  await runTrainingLoop(second.run, { emit: () => {}, resume: true });
  const losses = second.run.folder.readMetrics().filter((m) => 'loss' in m).map((m) => [m.step, m.loss]);
  assert.deepEqual(losses, [[2, 1.5], [4, 3.5], [6, 5.5]]);
  second.dispose();
});
