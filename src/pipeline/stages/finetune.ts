// The fine-tuning stage: a pretrained SimCLRv2 model (or, without `from`, the same architecture from scratch: the
// supervised baseline) trained with labels on a class-balanced subset. Reference: paper section 2; tf2/run.py finetune.
import type { Dataset } from '../../data/dataset.js';
import type { DataLoader } from '../../data/loader.js';
import type { DataParallel } from '../../distributed/data_parallel.js';
import { singleProcess, type World } from '../../distributed/world.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import { F, tidy } from '../../tensor/index.js';
import { checkInputShape, classifierFrom, scratchDescription } from './classifier_model.js';
import { ignoreEvents, type EventSink } from '../run/events.js';
import type { FinetuneConfig } from '../config/finetune_config.js';
import { labelledSubset, type LabelledSubset } from './labels.js';
import { RunFolder } from '../run/run_folder.js';
import { augmentedLoader, openStage, checkClasses, classifierEvaluations, optimizerAndSchedule, prepareStage, type Schedule, type StageData } from './stage_setup.js';
import { stageDevice } from './device_check.js';
import { validationSplit } from '../config/validation_split.js';
import { MixedPrecision, type PrecisionChoice } from './mixed_precision.js';
import { finishStage, loopSummary, runTrainingLoop, type LoopSummary, type StageOptions, type StepResult, type TrainingRun } from '../run/train_loop.js';


export interface FinetuneSummary extends LoopSummary {
  stage: 'finetune';
  /** 'simclr' from a pretraining checkpoint, 'supervised' from scratch. */
  init: 'simclr' | 'supervised';
  from: string | null;
  eval_images: number;
  labels_file: string;
  labels_sha256: string;
  labelled_images: number;
  /** Images of the validation split (valSplit; 0 = none): outside the labelled subset. */
  val_images: number;
  train_top1: number | null;
  /** --precision of the steps (fp32, or bf16 / fp16 autocast). */
  precision: PrecisionChoice;
}

export interface FinetuneSetup extends StageData, Schedule {
  model: SimCLRModel;
  loader: DataLoader;
  labels: LabelledSubset;
  /** Held-out training images outside the labelled subset (valSplit), or null. */
  validation: Dataset | null;
  source: string;
}

/**
 * Data, labelled subset (written to the run folder), classifier, loader and optimiser of a fine-tuning run; with a
 * `world` of several processes the loader gives this process its share of each global batch.
 */
export async function setupFinetune(c: FinetuneConfig, folder: RunFolder, emit: EventSink = ignoreEvents, world: World = singleProcess, signal?: AbortSignal): Promise<FinetuneSetup> {
  const data = await prepareStage(c, signal);
  const labels = await labelledSubset(c.labels, data.train, { seed: c.labelSeed, folder });
  const validation = validationSplit(data.train, c.valSplit ?? 0, { exclude: labels.indices, seed: c.labelSeed })?.data ?? null;
  const scratch = () => scratchDescription(c, { channels: data.train.channels, size: Math.max(data.train.height, data.train.width) });
  const { model, source } = classifierFrom(c.from, scratch, {
    numClasses: data.train.numClasses, ftProjSelector: c.ftProjSelector, zeroInitLogits: c.zeroInitLogitsLayer,
    fineTuneAfterBlock: c.fineTuneAfterBlock, headWeightDecay: c.headWeightDecay,
  });
  try {
    const device = stageDevice(c.device, world);
    model.to(device);
    checkInputShape(model.description, data.train, source);
    const loader = augmentedLoader(data.train, c, { seed: c.seed, indices: labels.indices, stage: 'finetune', emit, world, device });
    return { ...data, ...optimizerAndSchedule(model, c, loader), model, loader, labels, validation, source };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

const FP32 = new MixedPrecision('fp32');

/**
 * One supervised step on a crop+flip batch of labelled images (data parallel: this process's share, gradients
 * averaged); the forward in `mp`'s precision, the loss in fp32.
 */
export function finetuneStep(s: Pick<FinetuneSetup, 'loader' | 'model' | 'optimizer'>, lr: number, parallel: DataParallel | null = null, mp: MixedPrecision = FP32): StepResult {
  const batch = s.loader.next();
  const scalars = tidy(() => {
    const logits = mp.forward(() => s.model.forward(batch.x!).logits!).float(); // (B, numClasses)
    const loss = F.crossEntropy(logits, batch.labels!); // ()
    const precision = mp.backwardAndStep(s.optimizer, loss, lr, parallel);
    return { loss: loss.detach(), train_top1: logits.argmax(1).eq(batch.labels!).float().mean(), ...precision };
  });
  batch.x!.dispose();
  batch.labels!.dispose();
  return { scalars, images: batch.indices.length, waitMs: batch.waitMs, epoch: batch.epoch };
}

export async function finetune(config: FinetuneConfig, o: StageOptions): Promise<FinetuneSummary> {
  const { emit, world, folder } = openStage(config, o);
  const precision = new MixedPrecision(config.precision, config.device);
  const s = await setupFinetune(config, folder, emit, world, o.stop?.signal);
  try {
    if (!folder.exists('config.json')) folder.writeJson('config.json', config);
    checkClasses(s.model, s.train, 'the classifier');
    const run: TrainingRun = {
      stage: 'finetune', folder, settings: config, model: s.model, optimizer: s.optimizer, schedule: s.schedule, totalSteps: s.totalSteps,
      batchesPerEpoch: s.loader.batchesPerEpoch, loaders: { labelled: s.loader },
      step: (lr, parallel) => finetuneStep(s, lr, parallel, precision), extraState: precision.extraState(),
      ...classifierEvaluations(s.model, s.test, s.validation ?? null, world),
      message: describe(s, config, precision),
      checkpointExtra: { classNames: s.train.classNames, from: config.from ?? null, labelsSha256: s.labels.sha256, precision: precision.precision },
    };
    const r = await runTrainingLoop(run, { resume: o.resume, emit, stop: o.stop, world, globalBn: config.globalBn });
    return finishStage(folder, emit, {
      stage: 'finetune', init: config.from ? 'simclr' : 'supervised', from: config.from ?? null, ...loopSummary(r, s.loader),
      eval_images: s.test?.length ?? 0, labels_file: s.labels.file, labels_sha256: s.labels.sha256, labelled_images: s.labels.indices.length,
      val_images: s.validation?.length ?? 0, train_top1: r.last.train_top1 ?? null, precision: precision.precision,
    } satisfies FinetuneSummary);
  } finally {
    s.model.dispose();
    s.optimizer.dispose();
  }
}


function describe(s: FinetuneSetup, c: FinetuneConfig, mp: MixedPrecision): string {
  const d = s.model.description;
  const trainable = s.model.numParameters(true);
  return `${c.from ? 'fine-tune' : 'supervised baseline'}: ResNet-${d.depth} x${d.widthMultiplier}${d.skRatio ? ' +SK' : ''} from ${s.source}, ` +
    `${d.projHead.keepLayers} projection layer(s) kept, ${(trainable / 1e6).toFixed(2)}M trainable params; ${s.labels.indices.length} labelled images ` +
    `(${c.labels}) of ${s.train.length}${s.validation ? ` (${s.validation.length} others held out for validation)` : ''}; batch ${s.loader.batchSize}, ${s.totalSteps} steps (${s.loader.batchesPerEpoch}/epoch), ` +
    `${c.optimizer} peak lr ${s.peakLr.toPrecision(3)}${mp.describe()}`;
}
