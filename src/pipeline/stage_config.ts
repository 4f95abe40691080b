// Configuration fields shared by the supervised stages (fine-tune, distill): optimiser, schedule, crop+flip
// augmentation, evaluation, checkpoints, runtime and the from-scratch architecture; plus the generic resolver.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError, describeIssues } from './config_errors.js';
import { readConfigFile } from './config_file.js';

const positive = z.number().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const DATA_HELP = 'data is required: fashion-mnist, cifar10:DIR, cifar100:DIR, folder:DIR or idx:IMAGES,LABELS';

/** Encoder and head of a model built from scratch (no pretraining checkpoint); all optional, no defaults. */
export const architectureFields = {
  depth: z.union([z.literal(18), z.literal(34), z.literal(50), z.literal(101), z.literal(152), z.literal(200)]).optional()
    .describe('ResNet depth of a model built from scratch'),
  widthMultiplier: positive.optional().describe('width multiplier of a model built from scratch'),
  skRatio: z.number().min(0).lt(1).optional(),
  stem: z.enum(['cifar', 'stride2', 'imagenet']).optional().describe('stem of a model built from scratch (default cifar up to 32 px)'),
  seRatio: z.number().min(0).max(1).optional(),
  numProjLayers: nonNegativeInt.optional().describe('projection layers of a model built from scratch (default 3)'),
  projOutDim: z.number().int().positive().optional(),
  projHiddenDim: z.number().int().positive().optional().describe('middle projection width of a model built from scratch (default: encoder width)'),
  bnMomentum: z.number().min(0).max(1).optional(),
  zeroInitResidual: z.boolean().optional(),
};
export const ARCHITECTURE_KEYS = Object.keys(architectureFields) as (keyof typeof architectureFields)[];

/** Optimiser, schedule, augmentation, evaluation, checkpoints and runtime of a supervised training stage. */
export const trainingFields = {
  data: z.string({ error: DATA_HELP }).min(1, DATA_HELP),
  trainLimit: nonNegativeInt.default(0).describe('use only the first N training images (0 = all)'),
  // schedule
  epochs: positive.optional(),
  steps: z.number().int().positive().optional(),
  batchSize: z.number().int().min(2, 'batchSize must be at least 2 (batch norm needs a batch)').default(256),
  optimizer: z.enum(['lars', 'sgd', 'adamw']).default('lars'),
  learningRate: positive.default(0.005),
  lrScaling: z.enum(['linear', 'sqrt', 'none']).default('sqrt'),
  warmupEpochs: z.number().nonnegative().default(0),
  warmupFraction: z.number().min(0).max(1).optional().describe('warm-up as a fraction of all steps; overrides warmupEpochs'),
  weightDecay: z.number().nonnegative().default(0),
  momentum: z.number().min(0).max(1).default(0.9),
  // augmentation: random resized crop + flip only
  cropMinArea: z.number().gt(0).max(1).default(0.08),
  // evaluation and checkpoints
  evalEvery: z.number().nonnegative().default(1).describe('epochs between test evaluations; 0 = only at the end'),
  evalLimit: nonNegativeInt.default(0).describe('evaluate on the first N test images only (0 = all)'),
  logEvery: z.number().int().positive().default(10),
  checkpointEvery: nonNegativeInt.default(0).describe('steps between checkpoints; 0 = at each evaluation and the end'),
  keepCheckpoints: z.number().int().positive().default(1),
  // runtime
  seed: z.number().int().nonnegative().default(0),
  threads: z.number().int().positive().default(availableParallelism()),
  device: z.string().regex(/^(cpu|cuda(:\d+)?)$/, "device must be 'cpu', 'cuda' or 'cuda:N'").default('cpu'),
  globalBn: z.boolean().default(true).describe('data-parallel runs: batch-norm statistics over the global batch (synchronised)'),
};

/** Settings a resumed run may change; anything else must match the saved config.json. */
export const RESUMABLE_TRAINING_CHANGES = ['threads', 'logEvery', 'checkpointEvery', 'keepCheckpoints', 'evalEvery'];

/** Settings every supervised stage config has once validated. */
export interface TrainingConfig {
  readonly data: string;
  readonly trainLimit: number;
  readonly epochs?: number;
  readonly steps?: number;
  readonly batchSize: number;
  readonly optimizer: 'lars' | 'sgd' | 'adamw';
  readonly learningRate: number;
  readonly lrScaling: 'linear' | 'sqrt' | 'none';
  readonly warmupEpochs: number;
  readonly warmupFraction?: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly cropMinArea: number;
  readonly evalEvery: number;
  readonly evalLimit: number;
  readonly logEvery: number;
  readonly checkpointEvery: number;
  readonly keepCheckpoints: number;
  readonly seed: number;
  readonly threads: number;
  readonly device: string;
  readonly globalBn: boolean;
}

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

/** defaults < preset < file < overrides (flags), for any stage schema and its presets. */
export function resolveStageConfig<S extends AnyObjectSchema>(
  schema: S, presets: Record<string, Record<string, unknown>>, stage: string, { preset, file, overrides = {} }: StageResolveOptions,
): Readonly<z.output<S>> {
  if (preset !== undefined && !(preset in presets)) {
    throw new ConfigError([`unknown ${stage} preset '${preset}' (known: ${Object.keys(presets).join(', ')})`], '--preset');
  }
  const merged = {
    ...(preset ? presets[preset] : {}),
    ...(file ? readConfigFile(file) : {}),
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
  return validateStageConfig(schema, merged, [preset && `${stage} preset ${preset}`, file, 'flags'].filter(Boolean).join(' + ') || `${stage} configuration`);
}

/** The check every training config needs: a length of training. */
export function requireLength(c: { epochs?: number; steps?: number }, ctx: z.RefinementCtx): void {
  if (c.epochs === undefined && c.steps === undefined) ctx.addIssue({ code: 'custom', message: 'give epochs or steps', path: ['epochs'] });
}
