// ModelDescription: the plain-data architecture of a SimCLRv2 model (saved beside every checkpoint), validated.
// Reference: google-research/simclr tf2/resnet.py resnet() and tf2/model.py flags (depth, width, sk, heads).
import { z } from 'zod';

/** Residual block layout per depth, as tf2/resnet.py `model_params` (torchvision uses the same counts). */
export const DEPTHS = {
  18: { block: 'basic', layers: [2, 2, 2, 2] },
  34: { block: 'basic', layers: [3, 4, 6, 3] },
  50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
  200: { block: 'bottleneck', layers: [3, 24, 36, 3] },
} as const;
export type Depth = keyof typeof DEPTHS;

/** The depth named by an architecture string: 'resnet152', 'r152' or '152'. */
export function archDepth(arch: string): Depth {
  const match = /^(?:resnet|r)?-?(\d+)$/i.exec(arch.trim());
  const depth = match ? Number(match[1]) : NaN;
  if (!Object.hasOwn(DEPTHS, depth)) throw new RangeError(`unknown architecture '${arch}' (expected resnet${Object.keys(DEPTHS).join(', resnet')})`);
  return depth as Depth;
}
export type ProjHeadMode = 'none' | 'linear' | 'nonlinear';
/** cifar: 3x3 stride 1; stride2: 3x3 stride 2 (small images at half resolution); imagenet: 7x7/2 + max-pool. */
export type StemKind = 'cifar' | 'stride2' | 'imagenet';

const DEFAULT_LAYERS: Record<ProjHeadMode, number> = { none: 0, linear: 1, nonlinear: 3 };

const projHeadSchema = z.strictObject({
  /** none: z = h; linear: one layer; nonlinear: numLayers layers (SimCLRv2: 3). */
  mode: z.enum(['none', 'linear', 'nonlinear']).default('nonlinear'),
  /** Number of projection layers; default 0 / 1 / 3 for none / linear / nonlinear. */
  numLayers: z.number().int().min(0).optional(),
  /** Width of the last projection layer (z). */
  outDim: z.number().int().min(1).default(128),
  /** Width of the middle layers; defaults to the encoder's output width (the official head). */
  hiddenDim: z.number().int().min(1).optional(),
  /** Layers that exist (the rest were cut for fine-tuning); defaults to numLayers. */
  keepLayers: z.number().int().min(0).optional(),
});

const schema = z.strictObject({
  depth: z.number().refine((d) => Object.hasOwn(DEPTHS, d), { message: `must be one of ${Object.keys(DEPTHS).join(', ')}` }),
  widthMultiplier: z.number().positive().default(1),
  /** Selective-kernel reduction ratio, 0 = off (paper: 0.0625). Turns on the ResNet-D stem and shortcut. */
  skRatio: z.number().min(0).lt(1).default(0),
  /** Squeeze-excitation ratio, 0 = off. */
  seRatio: z.number().min(0).max(1).default(0),
  inChannels: z.number().int().min(1).default(3),
  /** Training image side; <= 32 selects the CIFAR stem unless `stem` says otherwise. */
  imageSize: z.number().int().min(1).default(224),
  stem: z.enum(['cifar', 'stride2', 'imagenet']).optional(),
  /** Classes of the supervised head; 0 = no supervised head. */
  numClasses: z.number().int().min(0).default(0),
  projHead: projHeadSchema.default({ mode: 'nonlinear', outDim: 128 }),
  /** Where the supervised head reads: 0 = encoder output, k = after projection layer k, -1 = last. */
  ftProjSelector: z.number().int().default(0),
  /** Start the supervised head at zero (zero_init_logits_layer). */
  zeroInitLogits: z.boolean().default(false),
  /** PyTorch convention: running = 0.9 * running + 0.1 * batch (the official decay 0.9). */
  bnMomentum: z.number().min(0).max(1).default(0.1),
  bnEps: z.number().positive().default(1e-5),
  /** Zero-init the last BN gamma of every residual block (the official code always does). */
  zeroInitResidual: z.boolean().default(true),
});

export type ModelDescriptionInput = z.input<typeof schema>;

/** A validated, fully resolved description (every default filled in, frozen). */
export interface ModelDescription {
  readonly depth: Depth;
  readonly widthMultiplier: number;
  readonly skRatio: number;
  readonly seRatio: number;
  readonly inChannels: number;
  readonly imageSize: number;
  readonly stem: StemKind;
  readonly numClasses: number;
  readonly projHead: {
    readonly mode: ProjHeadMode;
    readonly numLayers: number;
    readonly outDim: number;
    readonly keepLayers: number;
    /** Middle-layer width; absent = the encoder's output width. */
    readonly hiddenDim?: number;
  };
  readonly ftProjSelector: number;
  readonly zeroInitLogits: boolean;
  readonly bnMomentum: number;
  readonly bnEps: number;
  readonly zeroInitResidual: boolean;
}

/** Error for an invalid description; the message lists every problem with its field path. */
export class ModelDescriptionError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid model description: ${problems.join('; ')}`);
    this.name = 'ModelDescriptionError';
  }
}

/** Validates plain data (e.g. a checkpoint sidecar) and fills defaults; throws ModelDescriptionError. */
export function parseModelDescription(input: unknown): ModelDescription {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ModelDescriptionError(parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'description'}: ${i.message}`));
  }
  const d = parsed.data;
  const head = resolveProjHead(d.projHead);
  const problems = selectorProblems(d.ftProjSelector, head.keepLayers);
  if (problems.length) throw new ModelDescriptionError(problems);
  return deepFreeze({ ...d, depth: d.depth as Depth, stem: d.stem ?? (d.imageSize <= 32 ? 'cifar' : 'imagenet'), projHead: head });
}

function resolveProjHead(h: z.output<typeof projHeadSchema>): ModelDescription['projHead'] {
  const numLayers = h.numLayers ?? DEFAULT_LAYERS[h.mode];
  const problems: string[] = [];
  if (h.mode === 'none' && numLayers !== 0) problems.push(`projHead.numLayers: mode 'none' has 0 layers, got ${numLayers}`);
  if (h.mode === 'linear' && numLayers !== 1) problems.push(`projHead.numLayers: mode 'linear' has exactly 1 layer, got ${numLayers}`);
  if (h.mode === 'nonlinear' && numLayers < 1) problems.push(`projHead.numLayers: mode 'nonlinear' needs at least 1 layer, got ${numLayers}`);
  const keepLayers = h.keepLayers ?? numLayers;
  if (keepLayers > numLayers) problems.push(`projHead.keepLayers: ${keepLayers} is more than numLayers (${numLayers})`);
  if (problems.length) throw new ModelDescriptionError(problems);
  return { mode: h.mode, numLayers, outDim: h.outDim, keepLayers, ...(h.hiddenDim === undefined ? {} : { hiddenDim: h.hiddenDim }) };
}

function selectorProblems(selector: number, layers: number): string[] {
  if (selector > layers || selector < -(layers + 1)) {
    return [`ftProjSelector: ${selector} is out of range for a projection head with ${layers} layer(s) (valid: ${-(layers + 1)}..${layers})`];
  }
  return [];
}

/** The index into `projections` (length layers + 1) that ftProjSelector picks. */
export function resolveSelector(selector: number, layers: number): number {
  const problems = selectorProblems(selector, layers);
  if (problems.length) throw new RangeError(problems[0]);
  return selector >= 0 ? selector : layers + 1 + selector;
}

/** A copy of `description` with some fields replaced, validated again. */
export function withChanges(description: ModelDescription, changes: Partial<ModelDescriptionInput>): ModelDescription {
  return parseModelDescription({ ...toPlain(description), ...changes });
}

/** The description as mutable plain JSON data (for saving next to a checkpoint). */
export function toPlain(description: ModelDescription): ModelDescriptionInput {
  return JSON.parse(JSON.stringify(description)) as ModelDescriptionInput;
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
}
