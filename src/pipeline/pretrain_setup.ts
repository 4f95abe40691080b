// Everything a pretraining run needs before its first step, derived from the config alone: data, model,
// optimiser, schedule and loader. Reference: tf2/run.py main() and tf2/model.py.
import type { Dataset } from '../data/dataset.js';
import { subsetDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { simclrAugment } from '../data/augment.js';
import type { AugmentOptions } from '../data/augment_params.js';
import { loadDataSpec } from '../data/spec.js';
import { buildModel, type SimCLRModel } from '../models/simclr_model.js';
import type { ModelDescriptionInput } from '../models/description.js';
import { scaleLearningRate, warmupCosineSchedule, warmupStepsFromEpochs, warmupStepsFromFraction, type LrSchedule, type GroupOptions, type Optimizer } from '../optim/index.js';
import { manualSeed } from '../tensor/random.js';
import { setNumThreads } from '../tensor/runtime.js';
import { buildOptimizer } from './optimizers.js';
import type { PretrainConfig } from './pretrain_config.js';

export interface PretrainSetup {
  train: Dataset;
  test: Dataset | null;
  model: SimCLRModel;
  optimizer: Optimizer<GroupOptions>;
  schedule: LrSchedule;
  loader: DataLoader;
  totalSteps: number;
  warmupSteps: number;
  peakLr: number;
}

/** The augmentation of the config: SimCLR views at the dataset's own size. */
export function pretrainAugment(c: PretrainConfig): AugmentOptions {
  return { colorStrength: c.colorStrength, blur: c.blur, areaRange: [c.cropMinArea, 1] };
}

export function modelDescriptionFor(c: PretrainConfig, train: Dataset): ModelDescriptionInput {
  return {
    depth: c.depth, widthMultiplier: c.widthMultiplier, skRatio: c.skRatio, seRatio: c.seRatio,
    inChannels: train.channels, imageSize: Math.max(train.height, train.width),
    // The online linear head needs labels; unlabeled data trains without it.
    numClasses: c.linearEval && train.labels ? train.numClasses : 0,
    projHead: { mode: c.projHeadMode, numLayers: c.projHeadMode === 'none' ? 0 : c.projHeadMode === 'linear' ? 1 : c.numProjLayers, outDim: c.projOutDim },
    ftProjSelector: c.ftProjSelector, bnMomentum: c.bnMomentum, zeroInitResidual: c.zeroInitResidual,
  };
}

/** Data-parallel training: this process's share of each global batch (see DataLoader's `shard`). */
export interface SetupOptions {
  shard?: { rank: number; size: number };
}

export async function setupPretrain(c: PretrainConfig, o: SetupOptions = {}): Promise<PretrainSetup> {
  setNumThreads(c.threads);
  manualSeed(c.seed);
  const data = await loadDataSpec(c.data);
  const train = firstN(data.train, c.trainLimit);
  const test = data.test ? firstN(data.test, c.evalLimit) : null;
  const model = buildModel(modelDescriptionFor(c, train));
  if (c.device !== 'cpu') throw new Error(`device '${c.device}': moving models to accelerators is not supported yet; use --device cpu`);
  const augment = pretrainAugment(c);
  const loader = new DataLoader(train, {
    batchSize: c.batchSize, seed: c.seed, views: 2, dropLast: true, shard: o.shard,
    transform: (x, generator) => simclrAugment(x, augment, generator), // called once per view
  });
  const totalSteps = c.steps ?? Math.max(1, Math.ceil(c.epochs! * loader.batchesPerEpoch));
  const warmupSteps = Math.min(totalSteps - 1, c.warmupFraction !== undefined
    ? warmupStepsFromFraction(c.warmupFraction, totalSteps)
    : warmupStepsFromEpochs(c.warmupEpochs, loader.batchesPerEpoch * c.batchSize, c.batchSize));
  const peakLr = c.lrScaling === 'none' ? c.learningRate : scaleLearningRate(c.learningRate, c.batchSize, c.lrScaling);
  const optimizer = buildOptimizer(model.parameters(), { kind: c.optimizer, lr: peakLr, weightDecay: c.weightDecay, momentum: c.momentum });
  const schedule = warmupCosineSchedule({ lr: peakLr, totalSteps, warmupSteps });
  return { train, test, model, optimizer, schedule, loader, totalSteps, warmupSteps, peakLr };
}

/** The first n images of a dataset (all of them when n is 0 or too large). */
export function firstN(ds: Dataset, n: number): Dataset {
  return n > 0 && n < ds.length ? subsetDataset(ds, Int32Array.from({ length: n }, (_, i) => i)) : ds;
}
