// The pretraining stage: SimCLRv2 self-supervised training with monitoring, crash-safe checkpoints and exact
// resume; a stop request ends it after the step (or inside an evaluation) with its state saved.
// Reference: google-research/simclr tf2/run.py (train loop, checkpoints, summaries).
import { performance } from 'node:perf_hooks';
import { DataParallel } from '../../distributed/data_parallel.js';
import { singleProcess, type World } from '../../distributed/world.js';
import { buildModel, type SimCLRModel } from '../../models/simclr_model.js';
import { dispose, type Tensor } from '../../tensor/index.js';
import { latestCheckpoint, loadCheckpoint, restoreTrainingState, saveCheckpoint } from '../run/checkpoint.js';
import { ignoreEvents, type EventSink } from '../run/events.js';
import { NegativeQueue } from '../../losses/memory_queue.js';
import { evaluateClassifier, evaluateKnn, knnBankSize } from './pretrain_eval.js';
import type { PretrainConfig } from '../config/pretrain_config.js';
import { setupPretrain, type PretrainSetup } from './pretrain_setup.js';
import { pretrainStep, type StepContext, type StepScalars } from './pretrain_step.js';
import { RunFolder } from '../run/run_folder.js';
import { RESUMABLE_CHANGES } from '../config/stage_config.js';
import { isAbortError, StopSignal } from '../run/stop_signal.js';

export interface PretrainOptions {
  out: string;
  resume?: boolean;
  onEvent?: EventSink;
  stop?: StopSignal;
  world?: World;
}

export interface PretrainSummary {
  stage: 'pretrain';
  steps: number;
  epochs: number;
  knn_top1: number | null;
  /** Train images in the final kNN bank: the first knnTrainLimit of the (trainLimit-cut) train split. */
  knn_train_images: number | null;
  linear_top1: number | null;
  linear_top5: number | null;
  contrastive_top1: number | null;
  loss: number | null;
  images_per_s: number;
  data_wait_fraction: number;
  wall_s: number;
  interrupted: boolean;
  checkpoint: string;
}


interface Progress {
  step: number;
  trainMs: number;
  waitMs: number;
  images: number;
  last: Record<string, number>;
}

export async function pretrain(config: PretrainConfig, o: PretrainOptions): Promise<PretrainSummary> {
  const emit = o.onEvent ?? ignoreEvents;
  const world = o.world ?? singleProcess;
  const folder = RunFolder.open(o.out, { resume: o.resume, readOnly: world.rank !== 0 }); // only rank 0 writes the run folder
  folder.checkResumeConfig(config, o.resume ?? false, RESUMABLE_CHANGES);
  const setup = await setupPretrain(config, { shard: world.size > 1 ? { rank: world.rank, size: world.size } : undefined, signal: o.stop?.signal });
  const { model, optimizer, loader, totalSteps } = setup;
  const ctx: StepContext = {
    model, optimizer, temperature: config.temperature, hiddenNorm: config.hiddenNorm, directions: config.ntXentDirections, world,
    memory: config.memorySize > 0 ? { ema: emaCopy(model), queue: new NegativeQueue(config.memorySize, config.projOutDim), momentum: config.memoryMomentum } : null,
  };
  const progress: Progress = { step: 0, trainMs: 0, waitMs: 0, images: 0, last: {} };
  if (!folder.exists('config.json')) folder.writeJson('config.json', config);
  if (o.resume) resumeFrom(folder, setup, ctx, progress, emit);
  // Data parallel: rank 0's weights to every process, synchronised batch norm, gradient averaging in the step.
  ctx.parallel = world.size > 1 ? new DataParallel(world, ctx.memory ? [model, ctx.memory.ema] : [model], { globalBn: config.globalBn }) : null;
  emit({ type: 'start', stage: 'pretrain', totalSteps, step: progress.step, message: describeRun(setup, config) });
  const stop = o.stop ?? new StopSignal();
  const stopRequested = () => (ctx.parallel ? ctx.parallel.anyOverWorld(stop.requested !== null) : stop.requested !== null); // all ranks stop at one step
  // Data parallel: a kNN monitor runs to its end, and the processes stop together at the next step.
  const monitorSignal = ctx.parallel ? undefined : stop.signal;
  const startStep = progress.step;
  try {
    let stopped = false;
    try {
      while (progress.step < totalSteps && !(stopped = stopRequested())) {
        runOneStep(setup, ctx, progress, config, folder, emit);
        // Let the event loop turn: N-API runs tensor-handle finalizers (and signal handlers) only then.
        await new Promise((resolve) => setImmediate(resolve));
        if (progress.step % loader.batchesPerEpoch === 0) await maybeMonitorKnn(setup, config, progress, folder, emit, monitorSignal);
        if (config.checkpointEvery > 0 && progress.step % config.checkpointEvery === 0 && progress.step < totalSteps) {
          checkpoint(folder, setup, ctx, progress, config, emit);
        }
      }
    } catch (err) {
      if (!isAbortError(err) || stop.requested === null) throw err;
      stopped = true; // stopped inside the kNN monitor: the step it evaluated is saved below
    }
    // Nothing trained since the start (stopped before the first step): the newest checkpoint is still the state.
    const path = stopped && progress.step === startStep ? (folder.readOnly ? '' : latestCheckpoint(folder) ?? '') : checkpoint(folder, setup, ctx, progress, config, emit);
    const summary = await finish(folder, setup, config, progress, path, stopped, stop.signal, emit);
    if (summary.interrupted) emit({ type: 'info', stage: 'pretrain', message: `stopped (${stop.requested}) at step ${progress.step} of ${totalSteps}${path ? `; state saved in ${path}` : ''}` });
    emit({ type: 'end', stage: 'pretrain', step: progress.step, summary: { ...summary } });
    return summary;
  } finally {
    ctx.memory?.ema.dispose();
    ctx.memory?.queue.dispose();
    model.dispose();
    optimizer.dispose();
  }
}

function runOneStep(s: PretrainSetup, ctx: StepContext, p: Progress, c: PretrainConfig, folder: RunFolder, emit: EventSink): void {
  const start = performance.now();
  const batch = s.loader.next();
  const lr = s.schedule(p.step);
  let scalars: StepScalars | null = null;
  try {
    scalars = pretrainStep(ctx, batch.views!, batch.labels, lr);
    p.step += 1;
    p.images += batch.indices.length * ctx.world.size; // the global batch
    p.waitMs += batch.waitMs;
    p.trainMs += performance.now() - start;
    if (p.step % c.logEvery === 0 || p.step === s.totalSteps) logStep(scalars, batch.epoch, lr, p, folder, emit, s.totalSteps);
  } finally {
    dispose([batch.views, batch.labels, scalars]);
  }
}

function logStep(sc: StepScalars, epoch: number, lr: number, p: Progress, folder: RunFolder, emit: EventSink, totalSteps: number): void {
  const values: Record<string, number> = {
    loss: sc.loss.item(), contrastive_loss: sc.contrastiveLoss.item(), contrastive_top1: sc.contrastiveAcc.item(), lr,
    images_per_s: (p.images / p.trainMs) * 1000, data_wait_fraction: p.waitMs / p.trainMs,
  };
  if (sc.linearLoss) values.linear_loss = sc.linearLoss.item();
  if (sc.linearAcc) values.linear_train_top1 = sc.linearAcc.item();
  p.last = values;
  folder.logMetrics({ step: p.step, epoch, ...values });
  emit({ type: 'step', stage: 'pretrain', step: p.step, totalSteps, epoch, values });
}

async function maybeMonitorKnn(s: PretrainSetup, c: PretrainConfig, p: Progress, folder: RunFolder, emit: EventSink, signal?: AbortSignal): Promise<void> {
  const epochsDone = p.step / s.loader.batchesPerEpoch;
  if (!s.test || !s.train.labels || c.knnEvery <= 0 || p.step >= s.totalSteps) return;
  if (Math.round(epochsDone) % Math.max(1, Math.round(c.knnEvery)) !== 0) return;
  const start = performance.now();
  const knn = await evaluateKnn(s.model, s.train, s.test, { k: c.knnK, temperature: c.knnTemperature, trainLimit: c.knnTrainLimit, signal });
  const values = { knn_top1: knn, eval_s: (performance.now() - start) / 1000 };
  folder.logMetrics({ step: p.step, epoch: epochsDone, ...values });
  emit({ type: 'eval', stage: 'pretrain', step: p.step, values });
}

function checkpoint(folder: RunFolder, s: PretrainSetup, ctx: StepContext, p: Progress, c: PretrainConfig, emit: EventSink): string {
  if (folder.readOnly) return ''; // data parallel: rank 0 writes checkpoints
  const extraTensors = new Map<string, Tensor>();
  if (ctx.memory) {
    for (const [name, t] of ctx.memory.ema.stateDict()) extraTensors.set(`ema.${name}`, t);
    extraTensors.set('queue', ctx.memory.queue.keys);
  }
  const path = saveCheckpoint(folder, {
    kind: 'pretrain', step: p.step, model: s.model, description: s.model.description, optimizer: s.optimizer, keep: c.keepCheckpoints,
    extra: { loader: s.loader.state(), progress: { trainMs: p.trainMs, waitMs: p.waitMs, images: p.images, last: p.last }, queue: ctx.memory?.queue.state ?? null, worldSize: ctx.world.size },
    extraTensors,
  });
  emit({ type: 'checkpoint', stage: 'pretrain', step: p.step, path });
  return path;
}

interface PretrainExtra {
  loader: { epoch: number; position: number };
  /** `last`: the last logged figures, for the summary of a resume that only redoes the final evaluation. */
  progress: { trainMs: number; waitMs: number; images: number; last?: Record<string, number> };
  queue: { pointer: number; filled: number } | null;
  /** Processes of the run (absent: 1); resuming needs the same number. */
  worldSize?: number;
}

function resumeFrom(folder: RunFolder, s: PretrainSetup, ctx: StepContext, p: Progress, emit: EventSink): void {
  const latest = latestCheckpoint(folder);
  if (!latest) {
    emit({ type: 'info', stage: 'pretrain', message: `no checkpoint in ${folder.dir}: starting from step 0` });
    return;
  }
  const { sidecar, weights, sidecarPath } = loadCheckpoint<unknown, PretrainExtra>(latest);
  if ((sidecar.extra.worldSize ?? 1) !== ctx.world.size) {
    dispose([...weights.values()]);
    throw new Error(`--resume: ${sidecarPath} was written by ${sidecar.extra.worldSize ?? 1} process(es) but this run has ${ctx.world.size}; resume with the same world size`);
  }
  try {
    s.model.loadStateDict(weights);
  } finally {
    dispose([...weights.values()]);
  }
  const extras = restoreTrainingState(sidecarPath, sidecar, { optimizer: s.optimizer });
  try {
    if (ctx.memory) {
      const ema = new Map([...extras].filter(([k]) => k.startsWith('ema.')).map(([k, t]) => [k.slice(4), t]));
      ctx.memory.ema.loadStateDict(ema);
      if (!sidecar.extra.queue) throw new Error(`checkpoint ${sidecarPath} has no memory queue state but the config enables memorySize`);
      ctx.memory.queue.restore(extras.get('queue')!, sidecar.extra.queue);
    }
  } finally {
    dispose([...extras.values()]);
  }
  s.loader.setState(sidecar.extra.loader);
  Object.assign(p, { step: sidecar.step, ...sidecar.extra.progress });
  folder.truncateMetricsAfter(sidecar.step);
  emit({ type: 'info', stage: 'pretrain', message: `resumed from ${sidecarPath} at step ${sidecar.step}` });
}

function emaCopy(model: SimCLRModel): SimCLRModel {
  const ema = buildModel(model.description);
  ema.loadStateDict(model.stateDict());
  ema.requiresGrad_(false);
  return ema;
}

function describeRun(s: PretrainSetup, c: PretrainConfig): string {
  const params = s.model.encoder.numParameters();
  return `ResNet-${c.depth} x${c.widthMultiplier}${c.skRatio ? ' +SK' : ''} (${(params / 1e6).toFixed(2)}M encoder params), ` +
    `${s.train.length} images, batch ${c.batchSize}, ${s.totalSteps} steps (${s.loader.batchesPerEpoch}/epoch), ` +
    `${c.optimizer} peak lr ${s.peakLr.toPrecision(3)}, warm-up ${s.warmupSteps} steps, temperature ${c.temperature}`;
}

/**
 * The final evaluation and summary.json. An interrupted run only saves its state (evaluating 70k images would delay
 * the exit by minutes); a stop during the evaluation ends it between batches and marks the run interrupted.
 */
async function finish(folder: RunFolder, s: PretrainSetup, c: PretrainConfig, p: Progress, checkpointPath: string, stopped: boolean, signal: AbortSignal, emit: EventSink): Promise<PretrainSummary> {
  let interrupted = stopped;
  let evals: FinalEvaluation = { knn: null, bank: null, linear: null };
  if (!interrupted) {
    try {
      evals = await finalEvaluation(s, c, signal, emit);
    } catch (err) {
      if (!isAbortError(err) || !signal.aborted) throw err;
      interrupted = true;
    }
  }
  const summary: PretrainSummary = {
    stage: 'pretrain', steps: p.step, epochs: p.step / s.loader.batchesPerEpoch,
    knn_top1: evals.knn, knn_train_images: evals.bank, linear_top1: evals.linear?.top1 ?? null, linear_top5: evals.linear?.top5 ?? null,
    contrastive_top1: p.last.contrastive_top1 ?? null, loss: p.last.loss ?? null,
    images_per_s: p.trainMs > 0 ? (p.images / p.trainMs) * 1000 : 0, data_wait_fraction: p.trainMs > 0 ? p.waitMs / p.trainMs : 0,
    wall_s: p.trainMs / 1000, interrupted, checkpoint: checkpointPath,
  };
  if (!interrupted) folder.logMetrics({ step: p.step, epoch: summary.epochs, knn_top1: evals.knn, linear_top1: summary.linear_top1 });
  folder.writeJson('summary.json', summary);
  return summary;
}

interface FinalEvaluation {
  knn: number | null;
  bank: number | null;
  linear: { top1: number; top5: number } | null;
}

/** kNN on encoder features and the online linear head's test accuracy (labelled data only). */
async function finalEvaluation(s: PretrainSetup, c: PretrainConfig, signal: AbortSignal, emit: EventSink): Promise<FinalEvaluation> {
  if (!s.test || !s.train.labels) return { knn: null, bank: null, linear: null };
  const bank = knnBankSize(s.train, c.knnTrainLimit);
  emit({ type: 'info', stage: 'pretrain', message: `final evaluation: kNN with a bank of ${bank} train images on ${s.test.length} test images${s.model.supervisedHead ? ', then the online linear head' : ''}` });
  const knn = await evaluateKnn(s.model, s.train, s.test, { k: c.knnK, temperature: c.knnTemperature, trainLimit: c.knnTrainLimit, signal });
  const linear = s.model.supervisedHead ? await evaluateClassifier(s.model, s.test, undefined, signal) : null;
  return { knn, bank, linear };
}
