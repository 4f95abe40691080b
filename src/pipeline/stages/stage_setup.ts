// Setup pieces the supervised stages share: data with trainLimit/evalLimit, the crop+flip loader, the optimiser and
// warm-up + cosine schedule from the config, and the test evaluation. Reference: tf2/run.py (fine-tuning branch).
import { finetuneAugment } from '../../data/augment.js';
import { firstN, type Dataset } from '../../data/dataset.js';
import { DataLoader, type BatchTransform } from '../../data/loader.js';
import { padCropAugment } from '../../data/augment_pad_crop.js';
import { loadDataSpec } from '../../data/spec.js';
import { singleProcess, type World } from '../../distributed/world.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import { scaleLearningRate, warmupCosineSchedule, warmupStepsFromEpochs, warmupStepsFromFraction, type GroupOptions, type LrSchedule, type Optimizer } from '../../optim/index.js';
import { manualSeed, setNumThreads } from '../../tensor/index.js';
import { checkDevice } from './device_check.js';
import { ignoreEvents, type EventSink } from '../run/events.js';
import { RunFolder } from '../run/run_folder.js';
import { buildOptimizer } from '../run/optimizers.js';
import { evaluateClassifier } from './pretrain_eval.js';
import { MAX_STEPS, RESUMABLE_CHANGES, type TrainingConfig } from '../config/stage_config.js';
import type { Accuracy, Metrics, StageOptions, TrainingRun } from '../run/train_loop.js';

export interface StageData {
  train: Dataset;
  /** The test split cut to evalLimit images, or null when the data has none. */
  test: Dataset | null;
}

/** Threads, the global seed and the data of a stage. */
export async function prepareStage(c: TrainingConfig, signal?: AbortSignal): Promise<StageData> {
  checkDevice(c.device);
  setNumThreads(c.threads);
  manualSeed(c.seed);
  const data = await loadDataSpec(c.data, { skipBad: c.skipBad, signal });
  if (!data.train.labels) throw new Error(`${data.train.name} is unlabeled: this stage needs class labels (at least for the labelled subset)`);
  return { train: firstN(data.train, c.trainLimit), test: data.test ? firstN(data.test, c.evalLimit) : null };
}

/**
 * A shuffled crop+flip loader over `indices` of `data` (all when absent); the batch shrinks to fit a small subset.
 * With `world` of several processes the batch is global and each process loads its share (a multiple of the size).
 * Batches go to `device` (default: stay on the CPU).
 */
export function augmentedLoader(data: Dataset, c: TrainingConfig, o: { seed: number; indices?: Int32Array; stage: string; emit: EventSink; world?: World; device?: string }): DataLoader {
  const n = o.indices?.length ?? data.length;
  const processes = o.world?.size ?? 1;
  if (n < 2 * processes) throw new RangeError(`${o.stage}: ${n} training image(s) is too few for a batch of ${2 * processes} (batch norm needs at least 2 per process)`);
  if (c.batchSize % processes !== 0) throw new RangeError(`${o.stage}: batchSize ${c.batchSize} does not split evenly over ${processes} processes`);
  const batchSize = Math.min(c.batchSize, n - (n % processes));
  if (batchSize < c.batchSize) o.emit({ type: 'info', stage: o.stage, message: `batch size ${c.batchSize} is more than the ${n} training images: using ${batchSize}` });
  return new DataLoader(data, {
    batchSize, seed: o.seed, views: 1, dropLast: true, indices: o.indices, device: o.device,
    shard: processes > 1 ? { rank: o.world!.rank, size: processes } : undefined,
    transform: supervisedTransform(c),
  });
}

/** The crop + flip of a supervised stage: random resized crop (area >= cropMinArea) or random crop from zero padding. */
export function supervisedTransform(c: Pick<TrainingConfig, 'augment' | 'cropMinArea' | 'padding'>): BatchTransform {
  if (c.augment === 'padCrop') {
    const options = { padding: c.padding ?? 4 };
    return (x, generator) => padCropAugment(x, options, generator);
  }
  const augment = { areaRange: [c.cropMinArea, 1] as [number, number] };
  return (x, generator) => finetuneAugment(x, augment, generator);
}

export interface Schedule {
  optimizer: Optimizer<GroupOptions>;
  schedule: LrSchedule;
  totalSteps: number;
  warmupSteps: number;
  peakLr: number;
}

/** The settings optimizerAndSchedule reads (pretraining has them too). */
export type ScheduleConfig = Pick<TrainingConfig, 'steps' | 'epochs' | 'warmupFraction' | 'warmupEpochs' | 'lrScaling' | 'learningRate' | 'optimizer' | 'weightDecay' | 'momentum'> & { readonly nesterov?: boolean };

/**
 * The optimiser over the model's trainable parameters and its warm-up + cosine schedule; the learning rate scales
 * with the loader's (global) batch size.
 */
export function optimizerAndSchedule(model: SimCLRModel, c: ScheduleConfig, loader: DataLoader): Schedule {
  const totalSteps = c.steps ?? Math.max(1, Math.ceil(c.epochs! * loader.batchesPerEpoch));
  if (totalSteps > MAX_STEPS) {
    throw new RangeError(`epochs ${c.epochs} x ${loader.batchesPerEpoch} batches per epoch = ${totalSteps} steps, more than the ${MAX_STEPS} allowed: give fewer epochs`);
  }
  const warmupSteps = Math.min(totalSteps - 1, c.warmupFraction !== undefined
    ? warmupStepsFromFraction(c.warmupFraction, totalSteps)
    : warmupStepsFromEpochs(c.warmupEpochs, loader.batchesPerEpoch * loader.batchSize, loader.batchSize));
  const peakLr = c.lrScaling === 'none' ? c.learningRate : scaleLearningRate(c.learningRate, loader.batchSize, c.lrScaling);
  const optimizer = buildOptimizer(model.parameters(), { kind: c.optimizer, lr: peakLr, weightDecay: c.weightDecay, momentum: c.momentum, nesterov: c.nesterov });
  return { optimizer, schedule: warmupCosineSchedule({ lr: peakLr, totalSteps, warmupSteps }), totalSteps, warmupSteps, peakLr };
}

/**
 * Top-1/top-5 of the model's classifier on the (possibly cut) test split, sharded over `world`; null without one.
 * `signal` is checked between batches.
 */
export async function testAccuracy(model: SimCLRModel, test: Dataset | null, world?: World, signal?: AbortSignal): Promise<Accuracy | null> {
  return test && test.labels ? evaluateClassifier(model, test, world, signal) : null;
}

/**
 * The training loop's evaluations of a classifier: the final one on the test split ('test_top1', 'test_top5') and,
 * with a validation split, a periodic one ('val_top1' chooses the 'best' checkpoint).
 */
export function classifierEvaluations(model: SimCLRModel, test: Dataset | null, validation: Dataset | null, world?: World): Pick<TrainingRun, 'evaluate' | 'periodic'> {
  const named = (split: string, acc: Accuracy | null): Metrics | null => (acc ? { [`${split}_top1`]: acc.top1, [`${split}_top5`]: acc.top5 } : null);
  return {
    evaluate: async (signal) => named('test', await testAccuracy(model, test, world, signal)),
    periodic: validation
      ? { kind: 'validation', evaluate: async (signal) => named('val', await testAccuracy(model, validation, world, signal)), score: (m) => m.val_top1 }
      : undefined,
  };
}

/** Fails early when the data's classes do not fit a model's head. */
export function checkClasses(model: SimCLRModel, data: Dataset, what: string): void {
  if (model.description.numClasses !== data.numClasses) {
    throw new Error(`${what} predicts ${model.description.numClasses} classes but ${data.name} has ${data.numClasses}`);
  }
}

/**
 * The opening every stage shares: its event sink and world, its run folder (rank 0 alone writes it) and the check
 * that a resumed run's config differs from the saved one only in what a resume may change.
 */
export function openStage(config: object, o: StageOptions): { emit: EventSink; world: World; folder: RunFolder } {
  const world = o.world ?? singleProcess;
  const folder = RunFolder.open(o.out, { resume: o.resume, readOnly: world.rank !== 0 });
  folder.checkResumeConfig(config, o.resume ?? false, RESUMABLE_CHANGES);
  return { emit: o.onEvent ?? ignoreEvents, world, folder };
}
