// The one training loop every stage runs (pretrain, fine-tune, supervised baseline, distill): steps with the
// schedule, logged scalars averaged over each logging window (as the official code's metrics), periodic evaluations
// every few epochs (a validation score chooses the 'best' checkpoint; a monitor only records), the final test
// evaluation once at the end (nothing is selected on it), rotating checkpoints, exact resume, data parallelism and
// a stop request that ends the loop after the current step, or an evaluation between batches, with its state saved.
import { performance } from 'node:perf_hooks';
import type { DataLoader } from '../../data/loader.js';
import { DataParallel } from '../../distributed/data_parallel.js';
import { singleProcess, type World } from '../../distributed/world.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import type { Module } from '../../nn/index.js';
import type { GroupOptions, LrSchedule, Optimizer } from '../../optim/index.js';
import { dispose, type Tensor } from '../../tensor/index.js';
import { latestCheckpoint } from './checkpoint.js';
import type { EventSink } from './events.js';
import { resumeLoop, saveLoopCheckpoint } from './loop_state.js';
import { ScalarWindow } from './scalar_window.js';
import type { RunFolder } from './run_folder.js';
import { isAbortError, StopSignal } from './stop_signal.js';

export { finishStage, loopSummary, rates, type LoopSummary } from './loop_summary.js';

export interface Accuracy {
  top1: number;
  top5: number;
}

/** Named figures, logged to metrics.jsonl under these names. */
export type Metrics = Record<string, number>;

/** What one step returns: 0-dim tensors (averaged over the logging window; the loop disposes them) and the batch facts. */
export interface StepResult {
  scalars: Record<string, Tensor>;
  images: number;
  waitMs: number;
  epoch: number;
}

/** An evaluation every evalEvery epochs. */
export interface PeriodicEvaluation {
  /**
   * 'validation' (held-out training images): also at the end, and the best `score` is kept as the 'best' checkpoint.
   * 'monitor' (e.g. pretraining's kNN): records only, and not at the last step, where the final evaluation runs.
   */
  kind: 'validation' | 'monitor';
  evaluate(signal?: AbortSignal): Promise<Metrics | null>;
  /** Higher is better; validation only. */
  score?(metrics: Metrics): number;
}

/** Training state a stage keeps beside model and optimiser (an EMA encoder, a memory queue), saved in every checkpoint. */
export interface ExtraState {
  save(): { extra: Record<string, unknown>; tensors: Map<string, Tensor> };
  /** Restores from a sidecar's `extra` and the saved tensors (the loop disposes them afterwards). */
  restore(extra: Record<string, unknown>, tensors: Map<string, Tensor>, sidecarPath: string): void;
}

/** How often the loop logs, evaluates and checkpoints. */
export interface LoopSettings {
  logEvery: number;
  /** Steps between checkpoints; 0 = at scored periodic evaluations (for the 'best' alias) and at the end. */
  checkpointEvery: number;
  keepCheckpoints: number;
  /** Epochs between periodic evaluations; 0 = none. */
  evalEvery: number;
}

export interface TrainingRun {
  stage: string;
  folder: RunFolder;
  settings: LoopSettings;
  /** The model trained and checkpointed. */
  model: SimCLRModel;
  /** Every module data parallelism keeps in step (rank 0's weights, synchronised batch norm); default [model]. */
  parallelModules?: Module[];
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
  /** The final evaluation (test split), once, at the end; null when there is nothing to evaluate on. */
  evaluate(signal?: AbortSignal): Promise<Metrics | null>;
  periodic?: PeriodicEvaluation;
  extraState?: ExtraState;
  /** Stage facts stored in every checkpoint's sidecar (class names, teacher accuracy, ...). */
  checkpointExtra: Record<string, unknown>;
  /** One line describing the run, sent with the 'start' event. */
  message: string;
}

export type Evaluation = Metrics & { step: number };

export interface LoopProgress {
  step: number;
  trainMs: number;
  waitMs: number;
  evalMs: number;
  images: number;
  /** Values of the last logging window (scalar means, lr, throughput). */
  last: Metrics;
  /** The final evaluation. */
  lastEval: Evaluation | null;
  /** The newest periodic evaluation, and the best scored one (with its `score`). */
  lastVal: Evaluation | null;
  best: Evaluation | null;
  /** Scalars of the logging window in progress (checkpointed, so a resumed run logs the same means). */
  window: ScalarWindow;
}

export interface LoopResult extends LoopProgress {
  checkpoint: string;
  bestCheckpoint: string | null;
  interrupted: boolean;
}

/** Options of a stage run: the run folder, resume, progress events, graceful stop. */
export interface StageOptions {
  out: string;
  resume?: boolean;
  onEvent?: EventSink;
  stop?: StopSignal;
  /** Data-parallel world (default: one process). Rank 0 alone writes the run folder. */
  world?: World;
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
  const p: LoopProgress = { step: 0, trainMs: 0, waitMs: 0, evalMs: 0, images: 0, last: {}, lastEval: null, lastVal: null, best: null, window: new ScalarWindow() };
  if (o.resume) resumeLoop(run, p, o.emit, world);
  const startStep = p.step;
  // Data parallel: rank 0's weights to every process (after a resume, all loaded the same), synchronised batch norm.
  const parallel = world.size > 1 ? new DataParallel(world, run.parallelModules ?? [run.model], { globalBn: o.globalBn ?? true }) : null;
  o.emit({ type: 'start', stage: run.stage, totalSteps: run.totalSteps, step: p.step, message: run.message });
  const stop = o.stop ?? new StopSignal();
  // Every process stops at the same step when any of them was asked to.
  const stopRequested = () => (parallel ? parallel.anyOverWorld(stop.requested !== null) : stop.requested !== null);
  // Data-parallel evaluations end in a collective: they finish, and the processes stop together at the next step.
  const evalSignal = parallel ? undefined : stop.signal;
  let bestCheckpoint: string | null = run.folder.exists('checkpoints/best.json') ? run.folder.path('checkpoints/best.json') : null;
  const periodic = async () => {
    const scored = await periodicNow(run, p, o.emit, evalSignal);
    if (scored && p.best?.step === p.step) bestCheckpoint = saveLoopCheckpoint(run, p, o.emit, world, 'best');
    return scored;
  };
  try {
    let stopped = false;
    try {
      // A run stopped inside an evaluation between steps redoes it first, so its metrics match an uninterrupted run.
      if (p.step > 0 && p.step < run.totalSteps && isEvalStep(run, p.step) && p.lastVal?.step !== p.step) await periodic();
      while (p.step < run.totalSteps && !(stopped = stopRequested())) {
        oneStep(run, p, o.emit, parallel);
        // Let the event loop turn: N-API runs tensor-handle finalizers (and signal handlers) only then.
        await new Promise((resolve) => setImmediate(resolve));
        if (p.step >= run.totalSteps) break;
        const evalStep = isEvalStep(run, p.step);
        const scored = evalStep ? await periodic() : false;
        const every = run.settings.checkpointEvery;
        if (every > 0 ? p.step % every === 0 : scored) saveLoopCheckpoint(run, p, o.emit, world);
      }
      // The final evaluations belong to the step where training ends; an interrupted run only saves its state.
      if (!stopped && run.periodic?.kind === 'validation' && p.lastVal?.step !== p.step) await periodic();
      if (!stopped && p.lastEval?.step !== p.step) await finalNow(run, p, o.emit, evalSignal);
    } catch (err) {
      if (!isAbortError(err) || stop.requested === null) throw err;
      stopped = true; // stopped inside an evaluation: the step it evaluated is saved below
    }
    // Nothing trained since the start (stopped before the first step): the newest checkpoint is still the state.
    const path = stopped && p.step === startStep ? latestPath(run) : saveLoopCheckpoint(run, p, o.emit, world);
    if (stopped) o.emit({ type: 'info', stage: run.stage, message: `stopped (${stop.requested}) at step ${p.step} of ${run.totalSteps}${path ? `; state saved in ${path}` : ''}` });
    return { ...p, checkpoint: path, bestCheckpoint, interrupted: stopped };
  } finally {
    p.window.dispose(); // after the last checkpoint, which saves the window in progress
  }
}

function latestPath(run: TrainingRun): string {
  return run.folder.readOnly ? '' : latestCheckpoint(run.folder) ?? '';
}

function isEvalStep(run: TrainingRun, step: number): boolean {
  const every = run.settings.evalEvery;
  if (!run.periodic || every <= 0 || step % run.batchesPerEpoch !== 0) return false;
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
    p.window.add(result.scalars);
    if (p.step % run.settings.logEvery === 0 || p.step === run.totalSteps) {
      const values: Metrics = { ...p.window.means(parallel), lr, images_per_s: (p.images / p.trainMs) * 1000, data_wait_fraction: p.waitMs / p.trainMs };
      p.last = values;
      run.folder.logMetrics({ step: p.step, epoch: result.epoch, ...values });
      emit({ type: 'step', stage: run.stage, step: p.step, totalSteps: run.totalSteps, epoch: result.epoch, values });
    }
  } finally {
    dispose(Object.values(result.scalars));
  }
}

/** A periodic evaluation: recorded as the newest, and as the best when scored higher than every earlier one. */
async function periodicNow(run: TrainingRun, p: LoopProgress, emit: EventSink, signal?: AbortSignal): Promise<boolean> {
  const periodic = run.periodic!;
  const timed = await timedEvaluation(run, p, emit, () => periodic.evaluate(signal));
  if (!timed) return false;
  p.lastVal = timed;
  if (periodic.kind !== 'validation' || !periodic.score) return false;
  const score = periodic.score(timed);
  if (!p.best || score > (p.best.score ?? -Infinity)) p.best = { ...timed, score };
  return true;
}

async function finalNow(run: TrainingRun, p: LoopProgress, emit: EventSink, signal?: AbortSignal): Promise<void> {
  const timed = await timedEvaluation(run, p, emit, () => run.evaluate(signal));
  if (timed) p.lastEval = timed;
}

async function timedEvaluation(run: TrainingRun, p: LoopProgress, emit: EventSink, evaluate: () => Promise<Metrics | null>): Promise<Evaluation | null> {
  const start = performance.now();
  const metrics = await evaluate();
  if (!metrics) return null;
  const seconds = (performance.now() - start) / 1000;
  p.evalMs += seconds * 1000;
  const values = { ...metrics, eval_s: seconds };
  run.folder.logMetrics({ step: p.step, epoch: p.step / run.batchesPerEpoch, ...values });
  emit({ type: 'eval', stage: run.stage, step: p.step, values });
  return { ...metrics, step: p.step };
}
