// Configuration fields shared by the supervised stages (fine-tune, distill): optimiser, schedule, crop+flip
// augmentation, evaluation, checkpoints, runtime and the from-scratch architecture; plus the generic resolver.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseDataSpec } from '../../data/spec_parse.js';
import { ConfigError, describeIssues } from './config_errors.js';
import { readConfigFile } from './config_file.js';

const positive = z.number().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const DATA_HELP = 'data is required: fashion-mnist, cifar10:DIR, cifar100:DIR, folder:DIR or idx:IMAGES,LABELS';

/** The data string, its form checked here (no file access) so a typo fails before any run folder or model exists. */
export const dataField = z.string({ error: DATA_HELP }).min(1, DATA_HELP).superRefine((text, ctx) => {
  try {
    parseDataSpec(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/**
 * Upper bounds of a schedule: a longer run is a typo (`--epochs 1e12`), never an experiment, and would otherwise
 * start a run that cannot end. optimizerAndSchedule checks epochs x batches per epoch against MAX_STEPS too.
 */
export const MAX_STEPS = 1_000_000_000;
export const MAX_EPOCHS = 1_000_000;
export const epochsField = positive.max(MAX_EPOCHS, `must be <= ${MAX_EPOCHS} (longer runs are refused as typos)`);
export const stepsField = z.number().int().positive().max(MAX_STEPS, `must be <= ${MAX_STEPS} (longer runs are refused as typos)`);
/** Intra-op threads: more than this is a typo that would make libtorch start thousands of threads. */
export const threadsField = z.number().int().positive().max(1024, 'must be <= 1024');

/**
 * Arithmetic of training: fp32, or the forward under autocast in bfloat16 (CPU or CUDA) or float16 (CUDA, with a
 * gradient scaler); master weights, batch-norm statistics and losses stay fp32. Resumable (saved configs without it:
 * fp32), so a precision change on resume is allowed; fp16 then needs a checkpoint with scaler state.
 */
export const precisionField = z.enum(['fp32', 'bf16', 'fp16', 'auto']).default('fp32')
  .describe('fp32, or mixed precision: bf16 (autocast to bfloat16) or fp16 (float16 with loss scaling; --device cuda only); auto: bf16 where the CPU (AVX512-BF16, AMX) or GPU (compute capability 8.0+) does it natively, else fp32');

/** fp16 autocast exists on CUDA only (libtorch has no CPU float16 autocast): refused before any run starts. */
export function checkPrecision(c: { precision: string; device: string }, ctx: z.RefinementCtx): void {
  if (c.precision === 'fp16' && c.device === 'cpu') {
    ctx.addIssue({ code: 'custom', path: ['precision'], message: '--precision fp16 needs --device cuda: libtorch has no float16 autocast on CPU (use --precision bf16 there)' });
  }
}

/** Optional, not defaulted: config.json of runs saved before the key existed still resume. */
export const skipBadField = z.boolean().optional()
  .describe('leave out unreadable images and empty class folders (a warning lists them) instead of failing on them');

/** ResNet depths as a union of literals (so the CLI sees a number flag) whose error lists them. */
export const depthField = z.union([z.literal(18), z.literal(34), z.literal(50), z.literal(101), z.literal(152), z.literal(200)], {
  error: 'must be one of 18, 34, 50, 101, 152, 200',
});

/** Encoder and head of a model built from scratch (no pretraining checkpoint); all optional, no defaults. */
export const architectureFields = {
  depth: depthField.optional().describe('ResNet depth of a model built from scratch'),
  widthMultiplier: positive.max(64).optional().describe('width multiplier of a model built from scratch'),
  skRatio: z.number().min(0).lt(1).optional(),
  stem: z.enum(['cifar', 'stride2', 'imagenet']).optional().describe('stem of a model built from scratch (default cifar up to 32 px)'),
  seRatio: z.number().min(0).max(1).optional(),
  numProjLayers: nonNegativeInt.optional().describe('projection layers of a model built from scratch (default 3)'),
  projOutDim: z.number().int().positive().max(65536).optional(),
  projHiddenDim: z.number().int().positive().max(65536).optional().describe('middle projection width of a model built from scratch (default: encoder width)'),
  bnMomentum: z.number().min(0).max(1).optional(),
  zeroInitResidual: z.boolean().optional(),
};
export const ARCHITECTURE_KEYS = Object.keys(architectureFields) as (keyof typeof architectureFields)[];

/** Optimiser, schedule, augmentation, evaluation, checkpoints and runtime of a supervised training stage. */
export const trainingFields = {
  data: dataField,
  trainLimit: nonNegativeInt.default(0).describe('use only the first N training images (0 = all)'),
  skipBad: skipBadField,
  // schedule
  epochs: epochsField.optional(),
  steps: stepsField.optional(),
  batchSize: z.number().int().min(2, 'batchSize must be at least 2 (batch norm needs a batch)').default(256),
  optimizer: z.enum(['lars', 'sgd', 'adamw']).default('lars'),
  learningRate: positive.default(0.005),
  lrScaling: z.enum(['linear', 'sqrt', 'none']).default('sqrt'),
  warmupEpochs: z.number().nonnegative().default(0),
  warmupFraction: z.number().min(0).max(1).optional().describe('warm-up as a fraction of all steps; overrides warmupEpochs'),
  weightDecay: z.number().nonnegative().default(0),
  momentum: z.number().min(0).max(1).default(0.9),
  // Optional, not defaulted (absent = false / 'resizedCrop' / 4 / 0): config.json of earlier runs still resumes.
  nesterov: z.boolean().optional().describe('Nesterov momentum (optimizer sgd only; default off)'),
  // augmentation: crop + flip only
  augment: z.enum(['resizedCrop', 'padCrop']).optional()
    .describe("'resizedCrop' (default: random resized crop, area >= cropMinArea) or 'padCrop' (random crop from zero padding)"),
  cropMinArea: z.number().gt(0).max(1).default(0.08),
  padding: nonNegativeInt.max(1024).optional().describe("augment 'padCrop': zero pixels added on each side (default 4)"),
  // evaluation and checkpoints
  valSplit: nonNegativeInt.optional()
    .describe('training images held out (never labelled, never trained on) as the validation split evaluated every evalEvery epochs; 0 (default) = none'),
  evalEvery: z.number().nonnegative().default(1)
    .describe('epochs between evaluations on the validation split (valSplit); the test split is evaluated once, at the end'),
  evalLimit: nonNegativeInt.default(0).describe('evaluate on the first N test images only (0 = all)'),
  logEvery: z.number().int().positive().default(10),
  checkpointEvery: nonNegativeInt.default(0).describe('steps between checkpoints; 0 = at each evaluation and the end'),
  keepCheckpoints: z.number().int().positive().default(1),
  // runtime
  seed: z.number().int().nonnegative().default(0),
  threads: threadsField.default(availableParallelism()),
  device: z.string().regex(/^(cpu|cuda(:\d+)?)$/, "device must be 'cpu', 'cuda' or 'cuda:N'").default('cpu'),
  precision: precisionField,
  globalBn: z.boolean().default(true).describe('data-parallel runs: batch-norm statistics over the global batch (synchronised)'),
};

/** Fields every training stage has with the same meaning and default, pretraining included (it spreads these). */
const SHARED_KEYS = ['data', 'trainLimit', 'skipBad', 'epochs', 'steps', 'momentum', 'cropMinArea', 'evalLimit', 'logEvery', 'seed', 'threads', 'device', 'precision', 'globalBn'] as const;
export const sharedStageFields = Object.fromEntries(SHARED_KEYS.map((k) => [k, trainingFields[k]])) as Pick<typeof trainingFields, (typeof SHARED_KEYS)[number]>;

/**
 * Settings a resumed run (or a finished pipeline stage) may differ in from its saved config.json without its figures
 * changing beyond rounding: runtime, cadence and precision. One list for every stage.
 */
export const RESUMABLE_CHANGES: readonly string[] = ['threads', 'logEvery', 'checkpointEvery', 'keepCheckpoints', 'evalEvery', 'knnEvery', 'precision', 'device'];

/** Settings every supervised stage config has once validated: derived from the schema fields, never restated. */
const trainingObject = z.object(trainingFields);
export type TrainingConfig = Readonly<z.output<typeof trainingObject>>;

export type ArchitectureConfig = { readonly [K in keyof typeof architectureFields]?: z.output<(typeof architectureFields)[K]> };

type AnyObjectSchema = z.ZodObject<z.ZodRawShape>;

/** Validates into a frozen config, or throws a ConfigError listing every problem. */
export function validateStageConfig<S extends AnyObjectSchema>(schema: S, input: Record<string, unknown>, source: string): Readonly<z.output<S>> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error, Object.keys(schema.shape)), source);
  return Object.freeze(result.data);
}

export interface StageResolveOptions {
  preset?: string;
  file?: string;
  overrides?: Record<string, unknown>;
}

/** One layer of settings and where it came from (for messages). */
type Layer = [source: string, values: Record<string, unknown>];

/**
 * Merges layers low to high. epochs and steps are two ways to give one length: a layer that gives one of them drops
 * the other from the layers below (a preset's `steps` must not outlive the user's `--epochs`); one layer giving both
 * is refused, naming the layer.
 */
export function mergeLayers(layers: Layer[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [source, values] of layers) {
    const given = (['epochs', 'steps'] as const).filter((k) => values[k] !== undefined);
    if (given.length === 2) throw new ConfigError(['epochs and steps are both given: give one of them (they are two ways to set the length of training)'], source);
    if (given.length === 1) delete merged[given[0] === 'epochs' ? 'steps' : 'epochs'];
    Object.assign(merged, values);
  }
  return merged;
}

/** defaults < preset < file < overrides (flags), for any stage schema and its presets. */
export function resolveStageConfig<S extends AnyObjectSchema>(
  schema: S, presets: Record<string, Record<string, unknown>>, stage: string, { preset, file, overrides = {} }: StageResolveOptions,
): Readonly<z.output<S>> {
  if (preset !== undefined && !(preset in presets)) {
    throw new ConfigError([`unknown ${stage} preset '${preset}' (known: ${Object.keys(presets).join(', ')})`], '--preset');
  }
  const layers: Layer[] = [];
  if (preset) layers.push([`${stage} preset ${preset}`, presets[preset]]);
  if (file) layers.push([file, readConfigFile(file)]);
  layers.push(['flags', Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))]);
  return validateStageConfig(schema, mergeLayers(layers), [preset && `${stage} preset ${preset}`, file, 'flags'].filter(Boolean).join(' + ') || `${stage} configuration`);
}

/** The check every training config needs: a length of training. */
export function requireLength(c: { epochs?: number; steps?: number }, ctx: z.RefinementCtx): void {
  if (c.epochs === undefined && c.steps === undefined) ctx.addIssue({ code: 'custom', message: 'give epochs or steps', path: ['epochs'] });
}

/** Training options that only make sense together: nesterov needs sgd with momentum, padding needs padCrop. */
export function checkTrainingOptions(c: { optimizer: string; momentum: number; nesterov?: boolean; augment?: string; padding?: number; precision: string; device: string }, ctx: z.RefinementCtx): void {
  checkPrecision(c, ctx);
  if (c.nesterov && (c.optimizer !== 'sgd' || c.momentum <= 0)) {
    ctx.addIssue({ code: 'custom', path: ['nesterov'], message: `nesterov needs optimizer 'sgd' with momentum > 0 (got ${c.optimizer}, momentum ${c.momentum})` });
  }
  if (c.padding !== undefined && c.augment !== 'padCrop') ctx.addIssue({ code: 'custom', path: ['padding'], message: "padding applies to augment 'padCrop' only" });
}
