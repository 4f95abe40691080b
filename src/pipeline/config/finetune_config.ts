// The fine-tuning configuration (and, with `from` absent, the supervised baseline trained from scratch): one flat,
// validated, frozen object saved as config.json. Keys mirror tf2/run.py's fine-tuning flags in camelCase.
import { z } from 'zod';
import { parseLabelsSpec } from './labels_spec.js';
import {
  architectureFields, ARCHITECTURE_KEYS, checkTrainingOptions, requireLength, resolveStageConfig, trainingFields, validateStageConfig, type StageResolveOptions,
} from './stage_config.js';

const labelsField = z.string().min(1).default('10%')
  .describe("labelled subset: '1%', '10%', 'N-per-class' or a file of indices / file names (FILE or file:FILE)");

export const finetuneSchema = z.strictObject({
  from: z.string().min(1).optional().describe('pretraining checkpoint (.json / .safetensors) or run folder; absent = supervised baseline from scratch'),
  labels: labelsField,
  labelSeed: z.number().int().nonnegative().default(0).describe('seed of the class-balanced label draw (same seed = same subset file)'),
  ftProjSelector: z.number().int().min(-1).optional()
    .describe('projection layers kept under the classifier: 0 = encoder output, k = after layer k (default 1 with from, 0 from scratch)'),
  fineTuneAfterBlock: z.number().int().min(-1).max(4).default(-1).describe('freeze the stem and blocks 1..k; -1 = train everything'),
  zeroInitLogitsLayer: z.boolean().default(false),
  headWeightDecay: z.boolean().default(false).describe('also weight-decay the classifier head (off, as the official code)'),
  ...architectureFields,
  ...trainingFields,
}).superRefine((c, ctx) => {
  requireLength(c, ctx);
  checkTrainingOptions(c, ctx);
  try {
    parseLabelsSpec(c.labels);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message, path: ['labels'] });
  }
  const arch = ARCHITECTURE_KEYS.filter((k) => c[k] !== undefined);
  if (c.from !== undefined) {
    for (const key of arch) {
      ctx.addIssue({ code: 'custom', path: [key], message: `the architecture comes from the checkpoint '${c.from}'; ${key} applies only to a model built from scratch (no 'from')` });
    }
  } else if (c.depth === undefined) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: "give 'from' (a pretraining checkpoint) or 'depth' (a supervised baseline from scratch)" });
  }
});

export type FinetuneConfig = Readonly<z.output<typeof finetuneSchema>>;
export type FinetuneConfigInput = z.input<typeof finetuneSchema>;

/** Named starting points; files and flags override them. */
export const finetunePresets: Record<string, Partial<FinetuneConfigInput>> = {
  /** Smoke tests: seconds. */
  tiny: {
    data: 'fashion-mnist', trainLimit: 256, labels: '10%', batchSize: 16, steps: 6, optimizer: 'sgd', learningRate: 0.05,
    lrScaling: 'none', evalLimit: 128, logEvery: 1,
  },
  /** The paper's ImageNet semi-supervised setting: LARS, batch 1024, lr 0.005 * sqrt(batch) = 0.16, no decay, 60 epochs. */
  imagenet: {
    labels: '1%', batchSize: 1024, epochs: 60, optimizer: 'lars', learningRate: 0.005, lrScaling: 'sqrt', weightDecay: 0, warmupEpochs: 0,
  },
};

export function validateFinetuneConfig(input: Record<string, unknown>, source = 'finetune configuration'): FinetuneConfig {
  return validateStageConfig(finetuneSchema, input, source);
}

/** defaults < preset < file < overrides (flags). */
export function resolveFinetuneConfig(o: StageResolveOptions): FinetuneConfig {
  return resolveStageConfig(finetuneSchema, finetunePresets, 'finetune', o);
}
