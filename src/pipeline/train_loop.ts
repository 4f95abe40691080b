// The training loop the supervised stages (fine-tune, distill) share: steps with the schedule, test evaluation every
// few epochs, rotating 'last' checkpoints plus a 'best' alias, exact resume, metrics and events.
import { performance } from 'node:perf_hooks';
import type { DataLoader, LoaderState } from '../data/loader.js';
import type { SimCLRModel } from '../models/simclr_model.js';
import type { GroupOptions, LrSchedule, Optimizer } from '../optim/index.js';
import { dispose } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { latestCheckpoint, loadCheckpoint, restoreTrainingState, saveCheckpoint } from './checkpoint.js';
import type { EventSink } from './events.js';
import type { RunFolder } from './run_folder.js';
import type { TrainingConfig } from './stage_config.js';
import { StopSignal } from './stop_signal.js';

export interface Accuracy {
  top1: number;
  top5: number;
}

/** What one step returns: 0-dim tensors (read only when logging; the loop disposes them) and the batch facts. */
export interface StepResult {
  scalars: Record<string, Tensor>;
  images: number;
  waitMs: number;
  epoch: number;
}

export interface TrainingRun {
  stage: string;
  folder: RunFolder;
  config: TrainingConfig;
  /** The model trained and checkpointed. */
  model: SimCLRModel;
  optimizer: Optimizer<GroupOptions>;
  schedule: LrSchedule;
  totalSteps: number;
  batchesPerEpoch: number;
  /** Every loader whose position must survive a resume. */
  loaders: Record<string, DataLoader>;
  step(lr: number): StepResult;
  /** Test top-1/top-5 of the model, or null without a test split. */
  evaluate(): Accuracy | null;
  /** Stage facts stored in every checkpoint's sidecar (class names, teacher accuracy, ...). */
  checkpointExtra: Record<string, unknown>;
  /** One line describing the run, sent with the 'start' event. */
  message: string;
}

export interface LoopProgress {
  step: number;
  trainMs: number;
  waitMs: number;
  evalMs: number;
  images: number;
  /** Last logged step values. */
  last: Record<string, number>;
  lastEval: (Accuracy & { step: number }) | null;
  best: (Accuracy & { step: number }) | null;
}

export interface LoopResult extends LoopProgress {
  checkpoint: string;
  bestCheckpoint: string | null;
  interrupted: boolean;
}

interface LoopExtra {
  loaders: Record<string, LoaderState>;
  progress: Pick<LoopProgress, 'trainMs' | 'waitMs' | 'evalMs' | 'images' | 'lastEval' | 'best'>;
}

/** Options of a stage run (finetune, distill): the run folder, resume, progress events, graceful stop. */
export interface StageOptions {
  out: string;
  resume?: boolean;
  onEvent?: EventSink;
  stop?: StopSignal;
}

/** Throughput figures of a loop result. */
export function rates(r: { images: number; trainMs: number; waitMs: number; evalMs: number }): { images_per_s: number; data_wait_fraction: number; train_s: number; wall_s: number } {
  return {
    images_per_s: r.trainMs > 0 ? (r.images / r.trainMs) * 1000 : 0, data_wait_fraction: r.trainMs > 0 ? r.waitMs / r.trainMs : 0,
    train_s: r.trainMs / 1000, wall_s: (r.trainMs + r.evalMs) / 1000,
  };
}

export interface LoopOptions {
  resume?: boolean;
  emit: EventSink;
  stop?: StopSignal;
}

export async function runTrainingLoop(run: TrainingRun, o: LoopOptions): Promise<LoopResult> {
  const p: LoopProgress = { step: 0, trainMs: 0, waitMs: 0, evalMs: 0, images: 0, last: {}, lastEval: null, best: null };
  if (o.resume) resumeFrom(run, p, o.emit);
  o.emit({ type: 'start', stage: run.stage, totalSteps: run.totalSteps, step: p.step, message: run.message });
  const stop = o.stop ?? new StopSignal();
  let bestCheckpoint: string | null = run.folder.exists('checkpoints/best.json') ? run.folder.path('checkpoints/best.json') : null;
  while (p.step < run.totalSteps && !stop.requested) {
    oneStep(run, p, o.emit);
    // Let the event loop turn: N-API runs tensor-handle finalizers (and signal handlers) only then.
    await new Promise((resolve) => setImmediate(resolve));
    if (p.step >= run.totalSteps) break;
    const evalStep = isEvalStep(run, p.step);
    if (evalStep && evaluateNow(run, p, o.emit) && p.best?.step === p.step) bestCheckpoint = checkpoint(run, p, o.emit, 'best');
    const every = run.config.checkpointEvery;
    if (every > 0 ? p.step % every === 0 : evalStep) checkpoint(run, p, o.emit);
  }
  const interrupted = stop.requested !== null && p.step < run.totalSteps;
  // An interrupted run only saves its state; the final evaluation belongs to the step where training ends.
  if (!interrupted && p.lastEval?.step !== p.step && evaluateNow(run, p, o.emit) && p.best?.step === p.step) bestCheckpoint = checkpoint(run, p, o.emit, 'best');
  const path = checkpoint(run, p, o.emit);
  return { ...p, checkpoint: path, bestCheckpoint, interrupted };
}

function isEvalStep(run: TrainingRun, step: number): boolean {
  const every = run.config.evalEvery;
  if (every <= 0 || step % run.batchesPerEpoch !== 0) return false;
  return Math.round(step / run.batchesPerEpoch) % Math.max(1, Math.round(every)) === 0;
}

function oneStep(run: TrainingRun, p: LoopProgress, emit: EventSink): void {
  const start = performance.now();
  const lr = run.schedule(p.step);
  const result = run.step(lr);
  try {
    p.step += 1;
    p.images += result.images;
    p.waitMs += result.waitMs;
    p.trainMs += performance.now() - start;
    if (p.step % run.config.logEvery === 0 || p.step === run.totalSteps) {
      const values: Record<string, number> = { lr, images_per_s: (p.images / p.trainMs) * 1000, data_wait_fraction: p.waitMs / p.trainMs };
      for (const [name, t] of Object.entries(result.scalars)) values[name] = t.item();
      p.last = values;
      run.folder.logMetrics({ step: p.step, epoch: result.epoch, ...values });
      emit({ type: 'step', stage: run.stage, step: p.step, totalSteps: run.totalSteps, epoch: result.epoch, values });
    }
  } finally {
    dispose(Object.values(result.scalars));
  }
}

/** Evaluates on the test split; records the last and best results. False when there is nothing to evaluate on. */
function evaluateNow(run: TrainingRun, p: LoopProgress, emit: EventSink): boolean {
  const start = performance.now();
  const acc = run.evaluate();
  if (!acc) return false;
  const seconds = (performance.now() - start) / 1000;
  p.evalMs += seconds * 1000;
  p.lastEval = { ...acc, step: p.step };
  if (!p.best || acc.top1 > p.best.top1) p.best = { ...acc, step: p.step };
  const values = { test_top1: acc.top1, test_top5: acc.top5, eval_s: seconds };
  run.folder.logMetrics({ step: p.step, epoch: p.step / run.batchesPerEpoch, ...values });
  emit({ type: 'eval', stage: run.stage, step: p.step, values });
  return true;
}

function checkpoint(run: TrainingRun, p: LoopProgress, emit: EventSink, alias?: string): string {
  const loaders = Object.fromEntries(Object.entries(run.loaders).map(([name, l]) => [name, l.state()]));
  const extra: LoopExtra & Record<string, unknown> = {
    ...run.checkpointExtra, loaders, progress: { trainMs: p.trainMs, waitMs: p.waitMs, evalMs: p.evalMs, images: p.images, lastEval: p.lastEval, best: p.best },
  };
  const path = saveCheckpoint(run.folder, {
    kind: run.stage, step: p.step, model: run.model, description: run.model.description, optimizer: run.optimizer,
    keep: run.config.keepCheckpoints, alias, extra,
  });
  emit({ type: 'checkpoint', stage: run.stage, step: p.step, path });
  return path;
}

function resumeFrom(run: TrainingRun, p: LoopProgress, emit: EventSink): void {
  const latest = latestCheckpoint(run.folder);
  if (!latest) {
    emit({ type: 'info', stage: run.stage, message: `no checkpoint in ${run.folder.dir}: starting from step 0` });
    return;
  }
  const { sidecar, weights, sidecarPath } = loadCheckpoint<unknown, LoopExtra>(latest);
  try {
    run.model.loadStateDict(weights);
  } finally {
    dispose([...weights.values()]);
  }
  dispose([...restoreTrainingState(sidecarPath, sidecar, { optimizer: run.optimizer }).values()]);
  for (const [name, loader] of Object.entries(run.loaders)) {
    const state = sidecar.extra.loaders?.[name];
    if (!state) throw new Error(`checkpoint ${sidecarPath} has no position for the '${name}' loader`);
    loader.setState(state);
  }
  Object.assign(p, { step: sidecar.step, ...sidecar.extra.progress });
  run.folder.truncateMetricsAfter(sidecar.step);
  emit({ type: 'info', stage: run.stage, message: `resumed from ${sidecarPath} at step ${sidecar.step}` });
}
