// What a training loop reports: throughput figures and the summary fields every supervised stage shares, computed
// from the loop's result, and the stage ending (summary.json + the 'end' event).
import type { EventSink } from './events.js';
import type { RunFolder } from './run_folder.js';
import type { LoopResult } from './train_loop.js';

/** Throughput and time: train_s counts training steps, wall_s steps plus evaluations (setup excluded), in every stage. */
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
  /** Mean loss over the last logging window. */
  loss: number | null;
  images_per_s: number;
  data_wait_fraction: number;
  train_s: number;
  wall_s: number;
  interrupted: boolean;
  checkpoint: string;
  best_checkpoint: string | null;
}

export function loopSummary(r: LoopResult, loader: { batchesPerEpoch: number; batchSize: number }): LoopSummary {
  return {
    top1: r.lastEval?.test_top1 ?? null, top5: r.lastEval?.test_top5 ?? null, val_top1: r.lastVal?.val_top1 ?? null,
    best_val_top1: r.best?.val_top1 ?? null, best_val_step: r.best?.step ?? null,
    steps: r.step, epochs: r.step / loader.batchesPerEpoch, batch_size: loader.batchSize, loss: r.last.loss ?? null,
    ...rates(r), interrupted: r.interrupted, checkpoint: r.checkpoint, best_checkpoint: r.bestCheckpoint,
  };
}

/** Writes summary.json (rank 0; other ranks' folders are read-only) and sends the 'end' event. */
export function finishStage<S extends { stage: string; steps: number }>(folder: RunFolder, emit: EventSink, summary: S): S {
  folder.writeJson('summary.json', summary);
  emit({ type: 'end', stage: summary.stage, step: summary.steps, summary: { ...summary } as Record<string, unknown> });
  return summary;
}
