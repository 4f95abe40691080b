// Learning-rate schedules and batch-size scaling, as google-research/simclr tf2/model.py
// (WarmUpAndCosineDecay, get_train_steps, the learning_rate_scaling flag).

/** The learning rate at a (0-based) global step. */
export type LrSchedule = (step: number) => number;

export type LrScaling = 'linear' | 'sqrt';

/** The official scaling: linear = lr * batch / 256 (tf2 default), sqrt = lr * sqrt(batch) (the v2 paper's). */
export function scaleLearningRate(baseLr: number, batchSize: number, scaling: LrScaling): number {
  if (!(batchSize > 0)) throw new RangeError(`scaleLearningRate: batchSize must be > 0, got ${batchSize}`);
  if (scaling === 'linear') return (baseLr * batchSize) / 256;
  if (scaling === 'sqrt') return baseLr * Math.sqrt(batchSize);
  throw new TypeError(`scaleLearningRate: scaling must be 'linear' or 'sqrt', got '${String(scaling)}'`);
}

/** Total steps as get_train_steps: the given count, else numExamples * epochs // batchSize + 1. */
export function trainSteps(o: { numExamples: number; epochs: number; batchSize: number; steps?: number }): number {
  if (o.steps) return o.steps;
  return Math.floor((o.numExamples * o.epochs) / o.batchSize) + 1;
}

/** Warm-up steps from epochs, as round(warmup_epochs * num_examples // batch_size) in tf2/model.py. */
export function warmupStepsFromEpochs(warmupEpochs: number, numExamples: number, batchSize: number): number {
  return Math.round(Math.floor((warmupEpochs * numExamples) / batchSize));
}

/** Warm-up steps as a fraction of all steps (the v2 paper warms up over 5% of training). */
export function warmupStepsFromFraction(fraction: number, totalSteps: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`warmupStepsFromFraction: fraction must be in [0, 1], got ${fraction}`);
  return Math.round(fraction * totalSteps);
}

export interface WarmupCosineOptions {
  /** Peak learning rate, already scaled for the batch size. */
  lr: number;
  totalSteps: number;
  warmupSteps: number;
}

/**
 * Linear warm-up from 0 to lr over warmupSteps (lr * step / warmupSteps), then cosine decay to 0 over the
 * remaining totalSteps - warmupSteps (Keras CosineDecay, alpha 0; held at 0 after totalSteps).
 */
export function warmupCosineSchedule({ lr, totalSteps, warmupSteps }: WarmupCosineOptions): LrSchedule {
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new RangeError(`warmupCosineSchedule: warmupSteps must be an integer >= 0, got ${warmupSteps}`);
  if (!Number.isInteger(totalSteps) || totalSteps <= warmupSteps) {
    throw new RangeError(`warmupCosineSchedule: totalSteps (${totalSteps}) must be an integer greater than warmupSteps (${warmupSteps})`);
  }
  const decaySteps = totalSteps - warmupSteps;
  return (step) => {
    if (step < warmupSteps) return (lr * step) / warmupSteps;
    const progress = Math.min(step - warmupSteps, decaySteps) / decaySteps;
    return lr * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

export function constantSchedule(lr: number): LrSchedule {
  return () => lr;
}
