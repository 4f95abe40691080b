// The distillation stage: a frozen fine-tuned teacher labels every training image (labels ignored) with its softened
// predictions on the student's own augmented view; the student (same size or smaller) learns from them, optionally
// plus alpha * cross-entropy on the labelled subset. Reference: paper section 2.3, eq. (2); DESIGN.md section 4.
import type { Dataset } from '../../data/dataset.js';
import type { DataLoader } from '../../data/loader.js';
import type { DataParallel } from '../../distributed/data_parallel.js';
import { singleProcess, type World } from '../../distributed/world.js';
import { distillationLoss } from '../../losses/distillation.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import { noGrad, F, cat, dispose, tidy, type Tensor } from '../../tensor/index.js';
import { latestCheckpoint, loadCheckpoint } from '../run/checkpoint.js';
import { checkInputShape, classifierFrom, loadCheckpointModel, scratchDescription } from './classifier_model.js';
import type { DistillConfig } from '../config/distill_config.js';
import { ignoreEvents, type EventSink } from '../run/events.js';
import { labelledSubset, type LabelledSubset } from './labels.js';
import { RunFolder } from '../run/run_folder.js';
import type { StopSignal } from '../run/stop_signal.js';
import { augmentedLoader, openStage, checkClasses, classifierEvaluations, optimizerAndSchedule, prepareStage, testAccuracy, type Schedule, type StageData } from './stage_setup.js';
import { stageDevice } from './device_check.js';
import { validationSplit, withoutIndices } from '../config/validation_split.js';
import { MixedPrecision, type PrecisionChoice } from './mixed_precision.js';
import { finishStage, loopSummary, runTrainingLoop, type Accuracy, type LoopSummary, type StageOptions, type StepResult, type TrainingRun } from '../run/train_loop.js';

export interface DistillSummary extends LoopSummary {
  stage: 'distill';
  teacher: string;
  student_init: 'random' | 'pretrained';
  /** 'self' when the student has the teacher's architecture, else 'smaller' / 'other'. */
  student_kind: 'self' | 'smaller' | 'other';
  student_params: number;
  teacher_params: number;
  teacher_top1: number | null;
  teacher_top5: number | null;
  eval_images: number;
  temperature: number;
  alpha: number;
  labels_file: string | null;
  labels_sha256: string | null;
  unlabeled_images: number;
  /** Images of the validation split (valSplit; 0 = none), left out of the unlabelled images. */
  val_images: number;
  teacher_agreement: number | null;
  /** --precision of the steps (fp32, or bf16 / fp16 autocast). */
  precision: PrecisionChoice;
}

export interface DistillSetup extends StageData, Schedule {
  teacher: SimCLRModel;
  teacherPath: string;
  student: SimCLRModel;
  studentSource: string;
  /** Every training image outside the validation split, crop+flip, labels ignored. */
  loader: DataLoader;
  /** The labelled subset for the alpha term, or null. */
  labelledLoader: DataLoader | null;
  labels: LabelledSubset | null;
  /** Held-out training images outside the labelled subset (valSplit), never distilled on; or null. */
  validation: Dataset | null;
}

/** Loads the teacher frozen in eval mode: no parameter records gradients, batch-norm statistics never move. */
export function loadTeacher(c: DistillConfig): { teacher: SimCLRModel; path: string } {
  const { model, sidecar, sidecarPath } = loadCheckpointModel(c.teacher, { preferBest: c.teacherCheckpoint === 'best' });
  // A pretraining checkpoint's online linear head saw every label: not a teacher for the semi-supervised setting.
  if (!model.supervisedHead || sidecar.kind === 'pretrain') {
    model.dispose();
    throw new Error(`teacher ${sidecarPath} is a ${sidecar.kind} checkpoint${model.supervisedHead ? '' : ' without a classifier head'}: distill from a fine-tuned checkpoint (simclr finetune)`);
  }
  model.requiresGrad_(false).eval();
  return { teacher: model, path: sidecarPath };
}

/** Teacher, student, loaders (sharded over `world` when data parallel) and optimiser of a distillation run. */
export async function setupDistill(c: DistillConfig, folder: RunFolder, emit: EventSink = ignoreEvents, world: World = singleProcess, signal?: AbortSignal): Promise<DistillSetup> {
  const data = await prepareStage(c, signal);
  const { teacher, path: teacherPath } = loadTeacher(c);
  const owned: Array<{ dispose(): void }> = [teacher];
  try {
    const device = stageDevice(c.device, world);
    teacher.to(device);
    checkInputShape(teacher.description, data.train, `teacher ${teacherPath}`);
    checkClasses(teacher, data.train, `teacher ${teacherPath}`);
    // The labelled subset feeds the alpha term, and is kept out of the validation split.
    const labels = c.labels !== undefined && (c.alpha > 0 || (c.valSplit ?? 0) > 0) ? await labelledSubset(c.labels, data.train, { seed: c.labelSeed, folder }) : null;
    const validation = validationSplit(data.train, c.valSplit ?? 0, { exclude: labels?.indices, seed: c.labelSeed });
    const t = teacher.description;
    const scratch = () => scratchDescription(c, { channels: data.train.channels, size: t.imageSize }, t);
    const { model: student, source: studentSource } = classifierFrom(c.studentFrom, scratch, {
      numClasses: t.numClasses, ftProjSelector: c.ftProjSelector ?? (c.studentFrom ? undefined : t.projHead.keepLayers),
      zeroInitLogits: c.zeroInitLogitsLayer, fineTuneAfterBlock: c.fineTuneAfterBlock ?? -1, headWeightDecay: false,
    });
    owned.push(student);
    student.to(device);
    checkInputShape(student.description, data.train, studentSource);
    const trainIndices = validation ? withoutIndices(data.train.length, validation.indices) : undefined;
    const loader = augmentedLoader(data.train, c, { seed: c.seed, indices: trainIndices, stage: 'distill', emit, world, device });
    const labelledLoader = labels && c.alpha > 0 ? augmentedLoader(data.train, { ...c, batchSize: c.labelledBatchSize ?? c.batchSize }, { seed: c.seed + 1, indices: labels.indices, stage: 'distill', emit, world, device }) : null;
    return { ...data, ...optimizerAndSchedule(student, c, loader), teacher, teacherPath, student, studentSource, loader, labelledLoader, labels, validation: validation?.data ?? null };
  } catch (err) {
    for (const m of owned) m.dispose();
    throw err;
  }
}

const FP32 = new MixedPrecision('fp32');

/**
 * One step: teacher and student see the same augmented batch; the labelled batch (alpha > 0) rides along. Data
 * parallel: this process's share of both batches, gradients averaged over processes before the update. Both forwards
 * in `mp`'s precision, the losses in fp32.
 */
export function distillStep(
  s: Pick<DistillSetup, 'loader' | 'labelledLoader' | 'teacher' | 'student' | 'optimizer'>, c: Pick<DistillConfig, 'temperature' | 'scaleByTemperatureSquared' | 'alpha'>,
  lr: number, parallel: DataParallel | null = null, mp: MixedPrecision = FP32,
): StepResult {
  const batch = s.loader.next();
  const labelled = s.labelledLoader?.next() ?? null;
  const B = batch.indices.length;
  try {
    const scalars = tidy(() => {
      const teacherLogits = noGrad(() => mp.forward(() => s.teacher.forward(batch.x!).logits!).float()); // (B, K)
      const x = labelled ? cat([batch.x!, labelled.x!], 0) : batch.x!; // (B [+ Bl], C, H, W)
      const logits = mp.forward(() => s.student.forward(x).logits!).float(); // (B [+ Bl], K)
      const own = labelled ? logits.narrow(0, 0, B) : logits; // (B, K)
      const distill = distillationLoss(own, teacherLogits, { temperature: c.temperature, scaleByTemperatureSquared: c.scaleByTemperatureSquared }); // ()
      const out: Record<string, Tensor> = { distill_loss: distill.detach(), teacher_agreement: own.argmax(1).eq(teacherLogits.argmax(1)).float().mean() };
      let loss = distill;
      if (labelled) {
        const supervised = F.crossEntropy(logits.narrow(0, B, labelled.indices.length), labelled.labels!); // ()
        loss = loss.add(supervised.mul(c.alpha));
        out.supervised_loss = supervised.detach();
      }
      const precision = mp.backwardAndStep(s.optimizer, loss, lr, parallel);
      return { loss: loss.detach(), ...out, ...precision };
    });
    return { scalars, images: B + (labelled?.indices.length ?? 0), waitMs: batch.waitMs + (labelled?.waitMs ?? 0), epoch: batch.epoch };
  } finally {
    dispose([batch.x, batch.labels, labelled?.x, labelled?.labels]);
  }
}

/**
 * The teacher's test accuracy: measured once, then read back from the run's checkpoints on resume. A stop request
 * (single process) ends the measurement with an AbortError: nothing was trained yet, so nothing is saved.
 */
async function teacherAccuracy(s: DistillSetup, folder: RunFolder, resume: boolean, world: World, stop?: StopSignal): Promise<Accuracy | null> {
  const latest = resume ? latestCheckpoint(folder) : null;
  if (latest) {
    const { sidecar, weights } = loadCheckpoint<unknown, { teacherAccuracy?: Accuracy | null }>(latest);
    dispose([...weights.values()]);
    if (sidecar.extra.teacherAccuracy !== undefined) return sidecar.extra.teacherAccuracy;
  }
  return testAccuracy(s.teacher, s.test, world, world.size > 1 ? undefined : stop?.signal);
}

export async function distill(config: DistillConfig, o: StageOptions): Promise<DistillSummary> {
  const { emit, world, folder } = openStage(config, o);
  const precision = new MixedPrecision(config.precision, config.device);
  const s = await setupDistill(config, folder, emit, world, o.stop?.signal);
  try {
    if (!folder.exists('config.json')) folder.writeJson('config.json', config);
    const teacherAcc = await teacherAccuracy(s, folder, o.resume ?? false, world, o.stop);
    if (teacherAcc) emit({ type: 'eval', stage: 'distill', step: 0, values: { teacher_top1: teacherAcc.top1, teacher_top5: teacherAcc.top5 } });
    const run: TrainingRun = {
      stage: 'distill', folder, settings: config, model: s.student, optimizer: s.optimizer, schedule: s.schedule, totalSteps: s.totalSteps,
      batchesPerEpoch: s.loader.batchesPerEpoch, loaders: s.labelledLoader ? { unlabeled: s.loader, labelled: s.labelledLoader } : { unlabeled: s.loader },
      step: (lr, parallel) => distillStep(s, config, lr, parallel, precision), extraState: precision.extraState(),
      ...classifierEvaluations(s.student, s.test, s.validation ?? null, world),
      message: describe(s, config, precision),
      checkpointExtra: { classNames: s.train.classNames, teacher: s.teacherPath, teacherAccuracy: teacherAcc, precision: precision.precision },
    };
    const r = await runTrainingLoop(run, { resume: o.resume, emit, stop: o.stop, world, globalBn: config.globalBn });
    return finishStage(folder, emit, {
      stage: 'distill', teacher: s.teacherPath, student_init: config.studentFrom ? 'pretrained' : 'random', student_kind: studentKind(s),
      student_params: s.student.numParameters(), teacher_params: s.teacher.numParameters(), ...loopSummary(r, s.loader),
      teacher_top1: teacherAcc?.top1 ?? null, teacher_top5: teacherAcc?.top5 ?? null, eval_images: s.test?.length ?? 0,
      temperature: config.temperature, alpha: config.alpha, labels_file: s.labels?.file ?? null, labels_sha256: s.labels?.sha256 ?? null,
      unlabeled_images: s.train.length - (s.validation?.length ?? 0), val_images: s.validation?.length ?? 0, teacher_agreement: r.last.teacher_agreement ?? null,
      precision: precision.precision,
    } satisfies DistillSummary);
  } finally {
    s.student.dispose();
    s.teacher.dispose();
    s.optimizer.dispose();
  }
}

function studentKind(s: DistillSetup): DistillSummary['student_kind'] {
  const [a, b] = [s.student.description, s.teacher.description];
  const same = JSON.stringify({ ...a, zeroInitLogits: false }) === JSON.stringify({ ...b, zeroInitLogits: false });
  if (same) return 'self';
  return s.student.numParameters() < s.teacher.numParameters() ? 'smaller' : 'other';
}

function describe(s: DistillSetup, c: DistillConfig, mp: MixedPrecision): string {
  const d = s.student.description;
  return `distill ${s.teacherPath} (${(s.teacher.numParameters() / 1e6).toFixed(2)}M params) into ResNet-${d.depth} x${d.widthMultiplier}` +
    `${d.skRatio ? ' +SK' : ''} (${(s.student.numParameters() / 1e6).toFixed(2)}M, ${s.studentSource}); ${s.train.length - (s.validation?.length ?? 0)} images${s.validation ? ` (${s.validation.length} held out for validation)` : ''}, ` +
    `tau ${c.temperature}${c.alpha > 0 ? `, alpha ${c.alpha} on ${s.labels!.indices.length} labelled (${s.labelledLoader!.batchSize} per step)` : ''}; batch ${s.loader.batchSize}, ` +
    `${s.totalSteps} steps, ${c.optimizer} peak lr ${s.peakLr.toPrecision(3)}${mp.describe()}`;
}
