// A training loop's state on disk: checkpoints (model, optimiser, every loader's position, the loop's progress and
// the run's own extra state such as an EMA encoder and a memory queue) and exact resume from the newest one.
// Sidecars written before the one loop (pretraining's `extra.loader`, accuracy-shaped evaluations) still resume.
import type { World } from '../../distributed/world.js';
import { dispose, type Tensor } from '../../tensor/index.js';
import { latestCheckpoint, loadCheckpoint, restoreTrainingState, saveCheckpoint } from './checkpoint.js';
import type { EventSink } from './events.js';
import type { LoopProgress, Metrics, TrainingRun } from './train_loop.js';
import type { LoaderState } from '../../data/loader.js';
import type { WindowState } from './scalar_window.js';

type SavedProgress = Pick<LoopProgress, 'trainMs' | 'waitMs' | 'evalMs' | 'images' | 'last' | 'lastEval' | 'lastVal' | 'best'> & { window?: WindowState };

interface LoopExtra {
  loaders?: Record<string, LoaderState>;
  /** Pretraining sidecars before the one loop kept their single loader here. */
  loader?: LoaderState;
  /** Processes of the run (absent: 1); resuming needs the same number. */
  worldSize?: number;
  /** `last` keeps the logged figures of a finished run for a resume that only redoes the final evaluation. */
  progress: Partial<SavedProgress>;
}

export function saveLoopCheckpoint(run: TrainingRun, p: LoopProgress, emit: EventSink, world: World, alias?: string): string {
  if (run.folder.readOnly) return ''; // data parallel: rank 0 writes checkpoints
  const loaders = Object.fromEntries(Object.entries(run.loaders).map(([name, l]) => [name, l.state()]));
  const own = run.extraState?.save() ?? { extra: {}, tensors: new Map<string, Tensor>() };
  const progress: SavedProgress = { trainMs: p.trainMs, waitMs: p.waitMs, evalMs: p.evalMs, images: p.images, last: p.last, lastEval: p.lastEval, lastVal: p.lastVal, best: p.best, window: p.window.state() };
  const extra: LoopExtra & Record<string, unknown> = { ...run.checkpointExtra, ...own.extra, loaders, worldSize: world.size, progress };
  const path = saveCheckpoint(run.folder, {
    kind: run.stage, step: p.step, model: run.model, description: run.model.description, optimizer: run.optimizer,
    keep: run.settings.keepCheckpoints, alias, extra, extraTensors: own.tensors,
  });
  emit({ type: 'checkpoint', stage: run.stage, step: p.step, path });
  return path;
}

/** Loads the newest checkpoint of the run folder into the run and `p`; a fresh start without one. */
export function resumeLoop(run: TrainingRun, p: LoopProgress, emit: EventSink, world: World): void {
  const latest = latestCheckpoint(run.folder);
  if (!latest) {
    emit({ type: 'info', stage: run.stage, message: `no checkpoint in ${run.folder.dir}: starting from step 0` });
    return;
  }
  const { sidecar, weights, sidecarPath } = loadCheckpoint<unknown, LoopExtra & Record<string, unknown>>(latest);
  if ((sidecar.extra.worldSize ?? 1) !== world.size) {
    dispose([...weights.values()]);
    throw new Error(`--resume: ${sidecarPath} was written by ${sidecar.extra.worldSize ?? 1} process(es) but this run has ${world.size}; resume with the same world size`);
  }
  try {
    run.model.loadStateDict(weights);
  } finally {
    dispose([...weights.values()]);
  }
  const extras = restoreTrainingState(sidecarPath, sidecar, { optimizer: run.optimizer });
  try {
    run.extraState?.restore(sidecar.extra, extras, sidecarPath);
  } finally {
    dispose([...extras.values()]);
  }
  const loaderStates = sidecar.extra.loaders ?? (sidecar.extra.loader ? { [Object.keys(run.loaders)[0]]: sidecar.extra.loader } : {});
  for (const [name, loader] of Object.entries(run.loaders)) {
    const state = loaderStates[name];
    if (!state) throw new Error(`checkpoint ${sidecarPath} has no position for the '${name}' loader`);
    loader.setState(state);
  }
  const { window, ...progress } = upgradeProgress(sidecar.extra.progress);
  Object.assign(p, { step: sidecar.step, ...progress });
  p.window.restore(window ?? {}); // sidecars before the window was saved: it starts empty
  run.folder.truncateMetricsAfter(sidecar.step);
  emit({ type: 'info', stage: run.stage, message: `resumed from ${sidecarPath} at step ${sidecar.step}` });
}

/** Sidecars before the one loop stored evaluations as { top1, top5, step }: name them as the loop logs them now. */
function upgradeProgress(saved: Partial<SavedProgress>): Partial<SavedProgress> {
  const named = (r: (Metrics & { step: number }) | null | undefined, split: string) => {
    if (!r || r[`${split}_top1`] !== undefined || r.top1 === undefined) return r ?? null;
    const { top1, top5, step } = r;
    return { [`${split}_top1`]: top1, [`${split}_top5`]: top5, step, ...(split === 'val' ? { score: top1 } : {}) };
  };
  return { evalMs: 0, ...saved, lastEval: named(saved.lastEval, 'test'), lastVal: named(saved.lastVal, 'val'), best: named(saved.best, 'val') };
}
