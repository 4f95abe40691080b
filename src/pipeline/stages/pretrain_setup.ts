// Everything a pretraining run needs before its first step, derived from the config alone: data, model,
// optimiser, schedule and loader. Reference: tf2/run.py main() and tf2/model.py.
import { firstN, type Dataset } from '../../data/dataset.js';
import { DataLoader } from '../../data/loader.js';
import { simclrAugment } from '../../data/augment.js';
import type { AugmentOptions } from '../../data/augment_params.js';
import { loadDataSpec } from '../../data/spec.js';
import { buildModel, type SimCLRModel } from '../../models/simclr_model.js';
import type { ModelDescriptionInput } from '../../models/description.js';
import type { LrSchedule, GroupOptions, Optimizer } from '../../optim/index.js';
import { manualSeed, setNumThreads } from '../../tensor/index.js';
import type { PretrainConfig } from '../config/pretrain_config.js';
import { optimizerAndSchedule } from './stage_setup.js';
import { checkDevice } from './device_check.js';

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

/** The augmentation of the config: SimCLR views at the dataset's own size, or at viewSize (evaluation stays native). */
export function pretrainAugment(c: PretrainConfig): AugmentOptions {
  return { colorStrength: c.colorStrength, blur: c.blur, areaRange: [c.cropMinArea, 1], ...(c.viewSize ? { size: c.viewSize } : {}) };
}

export function modelDescriptionFor(c: PretrainConfig, train: Dataset): ModelDescriptionInput {
  return {
    depth: c.depth, widthMultiplier: c.widthMultiplier, skRatio: c.skRatio, seRatio: c.seRatio, stem: c.stem,
    inChannels: train.channels, imageSize: Math.max(train.height, train.width),
    // The online linear head needs labels; unlabeled data trains without it.
    numClasses: c.linearEval && train.labels ? train.numClasses : 0,
    projHead: {
      mode: c.projHeadMode, numLayers: c.projHeadMode === 'none' ? 0 : c.projHeadMode === 'linear' ? 1 : c.numProjLayers, outDim: c.projOutDim,
      ...(c.projHiddenDim === undefined ? {} : { hiddenDim: c.projHiddenDim }),
    },
    ftProjSelector: c.ftProjSelector, bnMomentum: c.bnMomentum, zeroInitResidual: c.zeroInitResidual,
  };
}

/** Data-parallel training: this process's share of each global batch (see DataLoader's `shard`). */
export interface SetupOptions {
  shard?: { rank: number; size: number };
  /** A stop request: image-folder decoding stops between images. */
  signal?: AbortSignal;
  /** This process's device (default: the config's; data parallel on GPUs: cuda:LOCAL_RANK, see stageDevice). */
  device?: string;
}

export async function setupPretrain(c: PretrainConfig, o: SetupOptions = {}): Promise<PretrainSetup> {
  const device = o.device ?? c.device;
  checkDevice(device);
  setNumThreads(c.threads);
  manualSeed(c.seed);
  const data = await loadDataSpec(c.data, { skipBad: c.skipBad, signal: o.signal });
  const train = firstN(data.train, c.trainLimit);
  const test = data.test ? firstN(data.test, c.evalLimit) : null;
  // Built on the CPU and moved, as PyTorch users do: the same seed gives the same initial weights on every device.
  const model = buildModel(modelDescriptionFor(c, train)).to(device);
  for (const p of model.supervisedHead?.parameters() ?? []) p.lrScale = c.linearEvalLrScale;
  const augment = pretrainAugment(c);
  const loader = new DataLoader(train, {
    batchSize: c.batchSize, seed: c.seed, views: 2, dropLast: true, shard: o.shard, device,
    transform: (x, generator) => simclrAugment(x, augment, generator), // called once per view
  });
  return { train, test, model, loader, ...optimizerAndSchedule(model, c, loader) };
}
