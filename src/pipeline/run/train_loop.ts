// The training loop the supervised stages (fine-tune, distill) share: steps with the schedule, validation every few
// epochs (the test split once, at the end: nothing is selected on it), rotating 'last' checkpoints plus a 'best'
// (validation) alias, exact resume, metrics and events. A stop request ends
// the loop after the current step, or an evaluation between batches, and saves what was trained.
import { performance } from 'node:perf_hooks';
import type { DataLoader, LoaderState } from '../../data/loader.js';
import { DataParallel } from '../../distributed/data_parallel.js';
import { singleProcess, type World } from '../../distributed/world.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import type { GroupOptions, LrSchedule, Optimizer } from '../../optim/index.js';
import { dispose, tidy, type Tensor } from '../../tensor/index.js';
import { latestCheckpoint, loadCheckpoint, restoreTrainingState, saveCheckpoint } from './checkpoint.js';
import type { EventSink } from './events.js';
import type { RunFolder } from './run_folder.js';
import type { TrainingConfig } from '../config/stage_config.js';
import { isAbortError, StopSignal } from './stop_signal.js';

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
  /**
   * One optimisation step at learning rate lr. Data parallel (`parallel` not null): the batch is this process's
   * shard, and the step must call parallel.syncGradients() between backward() and the optimiser step.
   */
  step(lr: number, parallel: DataParallel | null): StepResult;
  /** Test top-1/top-5 of the model, or null without a test split; rejects with signal.reason once it fires. Called once, at the end. */
  evaluate(signal?: AbortSignal): Promise<Accuracy | null>;
  /**
   * Top-1/top-5 on the validation split (training images held out of training), every evalEvery epochs and at the end;
   * the 'best' checkpoint is chosen on it. Absent: no periodic evaluation.
   */
  validate?(signal?: AbortSignal): Promise<Accuracy | null>;
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
  /** The test evaluation (at the end of training). */
  lastEval: (Accuracy & { step: number }) | null;
  /** The newest and the best validation evaluation. */
  lastVal?: (Accuracy & { step: number }) | null;
  best: (Accuracy & { step: number }) | null;
}

export interface LoopResult extends LoopProgress {
  checkpoint: string;
  bestCheckpoint: string | null;
  interrupted: boolean;
}

interface LoopExtra {
  loaders: Record<string, LoaderState>;
  /** Processes of the run (absent: 1); resuming needs the same number. */
  worldSize?: number;
  /** `last` keeps the logged figures of a finished run for a resume that only redoes the final evaluation. */
  progress: Pick<LoopProgress, 'trainMs' | 'waitMs' | 'evalMs' | 'images' | 'last' | 'lastEval' | 'lastVal' | 'best'>;
}

/** Options of a stage run (finetune, distill): the run folder, resume, progress events, graceful stop. */
export interface StageOptions {
  out: string;
  resume?: boolean;
  onEvent?: EventSink;
  stop?: StopSignal;
  /** Data-parallel world (default: one process). Rank 0 alone writes the run folder. */
  world?: World;
}

/** Throughput figures of a loop result. */
export function rates(r: { images: number; trainMs: number; waitMs: number; evalMs: number }): { images_per_s: number; data_wait_fraction: number; train_s: number; wall_s: number } {
  return {
    images_per_s: r.trainMs > 0 ? (r.images / r.trainMs) * 1000 : 0, data_wait_fraction: r.trainMs > 0 ? r.waitMs / r.trainMs : 0,
    train_s: r.trainMs / 1000, wall_s: (r.trainMs + r.evalMs) / 1000,
  };
}

/** The summary fields every supervised stage reports from its loop result. */
export interface LoopSummary {
  top1: number | null;
  top5: number | null;
  /** Validation split (valSplit): the last and the best top-1 and the step of the best (null without a split). */
  val_top1: number | null;
  best_val_top1: number | null;
  best_val_step: number | null;
  steps: number;
  epochs: number;
  batch_size: number;
  loss: number | null;
  images_per_s: number;
  data_wait_fraction: number;
  /** Seconds in training steps, and in steps plus evaluations (setup excluded). */
  train_s: number;
  wall_s: number;
  interrupted: boolean;
  checkpoint: string;
  best_checkpoint: string | null;
}

export function loopSummary(r: LoopResult, loader: { batchesPerEpoch: number; batchSize: number }): LoopSummary {
  return {
    top1: r.lastEval?.top1 ?? null, top5: r.lastEval?.top5 ?? null, val_top1: r.lastVal?.top1 ?? null, best_val_top1: r.best?.top1 ?? null, best_val_step: r.best?.step ?? null,
    steps: r.step, epochs: r.step / loader.batchesPerEpoch, batch_size: loader.batchSize, loss: r.last.loss ?? null,
    ...rates(r), interrupted: r.interrupted, checkpoint: r.checkpoint, best_checkpoint: r.bestCheckpoint,
  };
}

/** Writes summary.json (rank 0; other ranks' folders are read-only) and sends the 'end' event. */
export function finishStage<S extends LoopSummary & { stage: string }>(folder: RunFolder, emit: EventSink, summary: S): S {
  folder.writeJson('summary.json', summary);
  emit({ type: 'end', stage: summary.stage, step: summary.steps, summary: { ...summary } as Record<string, unknown> });
  return summary;
}

export interface LoopOptions {
  resume?: boolean;
  emit: EventSink;
  stop?: StopSignal;
  world?: World;
  /** Batch norm with global statistics when data parallel (default true). */
  globalBn?: boolean;
}

export async function runTrainingLoop(run: TrainingRun, o: LoopOptions): Promise<LoopResult> {
  const world = o.world ?? singleProcess;
  const p: LoopProgress = { step: 0, trainMs: 0, waitMs: 0, evalMs: 0, images: 0, last: {}, lastEval: null, lastVal: null, best: null };
  if (o.resume) resumeFrom(run, p, o.emit, world);
  const startStep = p.step;
  // Data parallel: rank 0's weights to every process (after a resume, all loaded the same), synchronised batch norm.
  const parallel = world.size > 1 ? new DataParallel(world, run.model, { globalBn: o.globalBn ?? true }) : null;
  o.emit({ type: 'start', stage: run.stage, totalSteps: run.totalSteps, step: p.step, message: run.message });
  const stop = o.stop ?? new StopSignal();
  // Every process stops at the same step when any of them was asked to.
  const stopRequested = () => (parallel ? parallel.anyOverWorld(stop.requested !== null) : stop.requested !== null);
  // Data-parallel evaluations end in a collective: they finish, and the processes stop together at the next step.
  const evalSignal = parallel ? undefined : stop.signal;
  let bestCheckpoint: string | null = run.folder.exists('checkpoints/best.json') ? run.folder.path('checkpoints/best.json') : null;
  const validateAndKeepBest = async () => {
    if (await evaluateNow(run, p, o.emit, 'val', evalSignal) && p.best?.step === p.step) bestCheckpoint = checkpoint(run, p, o.emit, world, 'best');
  };
  let stopped = false;
  try {
    // A run stopped inside an evaluation between steps redoes it first, so its metrics match an uninterrupted run.
    if (p.step > 0 && p.step < run.totalSteps && isEvalStep(run, p.step) && p.lastVal?.step !== p.step) await validateAndKeepBest();
    while (p.step < run.totalSteps && !(stopped = stopRequested())) {
      oneStep(run, p, o.emit, parallel);
      // Let the event loop turn: N-API runs tensor-handle finalizers (and signal handlers) only then.
      await new Promise((resolve) => setImmediate(resolve));
      if (p.step >= run.totalSteps) break;
      const evalStep = isEvalStep(run, p.step);
      if (evalStep) await validateAndKeepBest();
      const every = run.config.checkpointEvery;
      if (every > 0 ? p.step % every === 0 : evalStep) checkpoint(run, p, o.emit, world);
    }
    // The final evaluations belong to the step where training ends; an interrupted run only saves its state.
    if (!stopped && run.validate && p.lastVal?.step !== p.step) await validateAndKeepBest();
    if (!stopped && p.lastEval?.step !== p.step) await evaluateNow(run, p, o.emit, 'test', evalSignal);
  } catch (err) {
    if (!isAbortError(err) || stop.requested === null) throw err;
    stopped = true; // stopped inside an evaluation: the step it evaluated is saved below
  }
  // Nothing trained since the start (stopped before the first step): the newest checkpoint is still the state.
  const path = stopped && p.step === startStep ? latestPath(run) : checkpoint(run, p, o.emit, world);
  if (stopped) o.emit({ type: 'info', stage: run.stage, message: `stopped (${stop.requested}) at step ${p.step} of ${run.totalSteps}${path ? `; state saved in ${path}` : ''}` });
  return { ...p, checkpoint: path, bestCheckpoint, interrupted: stopped };
}

function latestPath(run: TrainingRun): string {
  return run.folder.readOnly ? '' : latestCheckpoint(run.folder) ?? '';
}

function isEvalStep(run: TrainingRun, step: number): boolean {
  const every = run.config.evalEvery;
  if (every <= 0 || step % run.batchesPerEpoch !== 0) return false;
  return Math.round(step / run.batchesPerEpoch) % Math.max(1, Math.round(every)) === 0;
}

function oneStep(run: TrainingRun, p: LoopProgress, emit: EventSink, parallel: DataParallel | null): void {
  const start = performance.now();
  const lr = run.schedule(p.step);
  const result = run.step(lr, parallel);
  try {
    p.step += 1;
    p.images += result.images * (parallel?.world.size ?? 1); // the global batch
    p.waitMs += result.waitMs;
    p.trainMs += performance.now() - start;
    if (p.step % run.config.logEvery === 0 || p.step === run.totalSteps) {
      const values: Record<string, number> = { lr, images_per_s: (p.images / p.trainMs) * 1000, data_wait_fraction: p.waitMs / p.trainMs };
      // Data parallel: every process logs the global-batch means (one collective, at the same steps everywhere).
      tidy(() => {
        const scalars = parallel ? parallel.meanOverWorld(result.scalars) : result.scalars;
        for (const [name, t] of Object.entries(scalars)) values[name] = t.item();
      });
      p.last = values;
      run.folder.logMetrics({ step: p.step, epoch: result.epoch, ...values });
      emit({ type: 'step', stage: run.stage, step: p.step, totalSteps: run.totalSteps, epoch: result.epoch, values });
    }
  } finally {
    dispose(Object.values(result.scalars));
  }
}

/**
 * Evaluates on the validation split (records the last and the best) or the test split (records the result). False
 * when there is nothing to evaluate on.
 */
async function evaluateNow(run: TrainingRun, p: LoopProgress, emit: EventSink, split: 'val' | 'test', signal?: AbortSignal): Promise<boolean> {
  const start = performance.now();
  const acc = split === 'val' ? (run.validate ? await run.validate(signal) : null) : await run.evaluate(signal);
  if (!acc) return false;
  const seconds = (performance.now() - start) / 1000;
  p.evalMs += seconds * 1000;
  const result = { ...acc, step: p.step };
  if (split === 'test') p.lastEval = result;
  else {
    p.lastVal = result;
    if (!p.best || acc.top1 > p.best.top1) p.best = result;
  }
  const values = { [`${split}_top1`]: acc.top1, [`${split}_top5`]: acc.top5, eval_s: seconds };
  run.folder.logMetrics({ step: p.step, epoch: p.step / run.batchesPerEpoch, ...values });
  emit({ type: 'eval', stage: run.stage, step: p.step, values });
  return true;
}

function checkpoint(run: TrainingRun, p: LoopProgress, emit: EventSink, world: World, alias?: string): string {
  if (run.folder.readOnly) return ''; // data parallel: rank 0 writes checkpoints
  const loaders = Object.fromEntries(Object.entries(run.loaders).map(([name, l]) => [name, l.state()]));
  const extra: LoopExtra & Record<string, unknown> = {
    ...run.checkpointExtra, loaders, worldSize: world.size, progress: { trainMs: p.trainMs, waitMs: p.waitMs, evalMs: p.evalMs, images: p.images, last: p.last, lastEval: p.lastEval, lastVal: p.lastVal, best: p.best },
  };
  const path = saveCheckpoint(run.folder, {
    kind: run.stage, step: p.step, model: run.model, description: run.model.description, optimizer: run.optimizer,
    keep: run.config.keepCheckpoints, alias, extra,
  });
  emit({ type: 'checkpoint', stage: run.stage, step: p.step, path });
  return path;
}

function resumeFrom(run: TrainingRun, p: LoopProgress, emit: EventSink, world: World): void {
  const latest = latestCheckpoint(run.folder);
  if (!latest) {
    emit({ type: 'info', stage: run.stage, message: `no checkpoint in ${run.folder.dir}: starting from step 0` });
    return;
  }
  const { sidecar, weights, sidecarPath } = loadCheckpoint<unknown, LoopExtra>(latest);
  if ((sidecar.extra.worldSize ?? 1) !== world.size) {
    dispose([...weights.values()]);
    throw new Error(`--resume: ${sidecarPath} was written by ${sidecar.extra.worldSize ?? 1} process(es) but this run has ${world.size}; resume with the same world size`);
  }
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
