// The fine-tuning stage: a pretrained SimCLRv2 model (or, without `from`, the same architecture from scratch: the
// supervised baseline) trained with labels on a class-balanced subset. Reference: paper section 2; tf2/run.py finetune.
import type { DataLoader } from '../data/loader.js';
import type { SimCLRModel } from '../models/simclr_model.js';
import * as F from '../tensor/functional.js';
import { tidy } from '../tensor/scope.js';
import { checkInputShape, classifierFrom, scratchDescription } from './classifier_model.js';
import { ignoreEvents, type EventSink } from './events.js';
import type { FinetuneConfig } from './finetune_config.js';
import { labelledSubset, type LabelledSubset } from './labels.js';
import { RunFolder } from './run_folder.js';
import { augmentedLoader, checkClasses, optimizerAndSchedule, prepareStage, testAccuracy, type Schedule, type StageData } from './stage_setup.js';
import { RESUMABLE_TRAINING_CHANGES } from './stage_config.js';
import { rates, runTrainingLoop, type StageOptions, type StepResult, type TrainingRun } from './train_loop.js';


export interface FinetuneSummary {
  stage: 'finetune';
  /** 'simclr' from a pretraining checkpoint, 'supervised' from scratch. */
  init: 'simclr' | 'supervised';
  from: string | null;
  top1: number | null;
  top5: number | null;
  best_top1: number | null;
  best_step: number | null;
  eval_images: number;
  labels_file: string;
  labels_sha256: string;
  labelled_images: number;
  steps: number;
  epochs: number;
  batch_size: number;
  train_top1: number | null;
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

export interface FinetuneSetup extends StageData, Schedule {
  model: SimCLRModel;
  loader: DataLoader;
  labels: LabelledSubset;
  source: string;
}

/** Data, labelled subset (written to the run folder), classifier, loader and optimiser of a fine-tuning run. */
export async function setupFinetune(c: FinetuneConfig, folder: RunFolder, emit: EventSink = ignoreEvents): Promise<FinetuneSetup> {
  const data = await prepareStage(c);
  const labels = await labelledSubset(c.labels, data.train, { seed: c.labelSeed, folder });
  const scratch = () => scratchDescription(c, { channels: data.train.channels, size: Math.max(data.train.height, data.train.width) });
  const { model, source } = classifierFrom(c.from, scratch, {
    numClasses: data.train.numClasses, ftProjSelector: c.ftProjSelector, zeroInitLogits: c.zeroInitLogitsLayer,
    fineTuneAfterBlock: c.fineTuneAfterBlock, headWeightDecay: c.headWeightDecay,
  });
  try {
    checkInputShape(model.description, data.train, source);
    const loader = augmentedLoader(data.train, c, { seed: c.seed, indices: labels.indices, stage: 'finetune', emit });
    return { ...data, ...optimizerAndSchedule(model, c, loader), model, loader, labels, source };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** One supervised step on a crop+flip batch of labelled images. */
export function finetuneStep(s: FinetuneSetup, lr: number): StepResult {
  const batch = s.loader.next();
  const scalars = tidy(() => {
    const logits = s.model.forward(batch.x!).logits!; // (B, numClasses)
    const loss = F.crossEntropy(logits, batch.labels!); // ()
    s.optimizer.zeroGrad();
    loss.backward();
    s.optimizer.setLr(lr);
    s.optimizer.step();
    return { loss: loss.detach(), train_top1: logits.argmax(1).eq(batch.labels!).float().mean() };
  });
  batch.x!.dispose();
  batch.labels!.dispose();
  return { scalars, images: batch.indices.length, waitMs: batch.waitMs, epoch: batch.epoch };
}

export async function finetune(config: FinetuneConfig, o: StageOptions): Promise<FinetuneSummary> {
  const emit = o.onEvent ?? ignoreEvents;
  const folder = RunFolder.open(o.out, { resume: o.resume });
  folder.checkResumeConfig(config, o.resume ?? false, RESUMABLE_TRAINING_CHANGES);
  const s = await setupFinetune(config, folder, emit);
  try {
    if (!folder.exists('config.json')) folder.writeJson('config.json', config);
    checkClasses(s.model, s.train, 'the classifier');
    const run: TrainingRun = {
      stage: 'finetune', folder, config, model: s.model, optimizer: s.optimizer, schedule: s.schedule, totalSteps: s.totalSteps,
      batchesPerEpoch: s.loader.batchesPerEpoch, loaders: { labelled: s.loader },
      step: (lr) => finetuneStep(s, lr), evaluate: () => testAccuracy(s.model, s.test),
      message: describe(s, config), checkpointExtra: { classNames: s.train.classNames, from: config.from ?? null, labelsSha256: s.labels.sha256 },
    };
    const r = await runTrainingLoop(run, { resume: o.resume, emit, stop: o.stop });
    const summary: FinetuneSummary = {
      stage: 'finetune', init: config.from ? 'simclr' : 'supervised', from: config.from ?? null,
      top1: r.lastEval?.top1 ?? null, top5: r.lastEval?.top5 ?? null, best_top1: r.best?.top1 ?? null, best_step: r.best?.step ?? null,
      eval_images: s.test?.length ?? 0, labels_file: s.labels.file, labels_sha256: s.labels.sha256, labelled_images: s.labels.indices.length,
      steps: r.step, epochs: r.step / s.loader.batchesPerEpoch, batch_size: s.loader.batchSize,
      train_top1: r.last.train_top1 ?? null, loss: r.last.loss ?? null, ...rates(r), interrupted: r.interrupted,
      checkpoint: r.checkpoint, best_checkpoint: r.bestCheckpoint,
    };
    folder.writeJson('summary.json', summary);
    emit({ type: 'end', stage: 'finetune', step: r.step, summary: { ...summary } });
    return summary;
  } finally {
    s.model.dispose();
    s.optimizer.dispose();
  }
}


function describe(s: FinetuneSetup, c: FinetuneConfig): string {
  const d = s.model.description;
  const trainable = s.model.numParameters(true);
  return `${c.from ? 'fine-tune' : 'supervised baseline'}: ResNet-${d.depth} x${d.widthMultiplier}${d.skRatio ? ' +SK' : ''} from ${s.source}, ` +
    `${d.projHead.keepLayers} projection layer(s) kept, ${(trainable / 1e6).toFixed(2)}M trainable params; ${s.labels.indices.length} labelled images ` +
    `(${c.labels}) of ${s.train.length}; batch ${s.loader.batchSize}, ${s.totalSteps} steps (${s.loader.batchesPerEpoch}/epoch), ` +
    `${c.optimizer} peak lr ${s.peakLr.toPrecision(3)}`;
}
