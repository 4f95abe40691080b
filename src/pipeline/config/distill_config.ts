// The distillation configuration: a frozen fine-tuned teacher, a student (same = self-distillation, or smaller),
// the softened-prediction loss and an optional supervised term. Reference: paper section 2.3, eq. (2).
import { z } from 'zod';
import { parseLabelsSpec } from './labels_spec.js';
import {
  architectureFields, ARCHITECTURE_KEYS, checkTrainingOptions, requireLength, resolveStageConfig, trainingFields, validateStageConfig, type StageResolveOptions,
} from './stage_config.js';

export const distillSchema = z.strictObject({
  teacher: z.string({ error: 'teacher is required: a fine-tuned checkpoint (.json / .safetensors) or its run folder' })
    .min(1, 'teacher is required: a fine-tuned checkpoint (.json / .safetensors) or its run folder'),
  teacherCheckpoint: z.enum(['last', 'best']).default('last').describe("from a teacher run folder: its 'last' or 'best' checkpoint"),
  studentFrom: z.string().min(1).optional()
    .describe('initialise the student from this pretraining checkpoint (architecture included); default: random weights'),
  ftProjSelector: z.number().int().min(-1).optional()
    .describe("student's projection layers under its head (default: 1 with studentFrom, else as many as the teacher keeps)"),
  // Optional, not defaulted: run folders written before this key existed still match a plan that leaves it out.
  fineTuneAfterBlock: z.number().int().min(-1).max(4).optional()
    .describe('with studentFrom: keep the pretrained stem and blocks 1..k frozen; -1 (default) = train everything'),
  temperature: z.number().positive().default(1).describe('softmax temperature tau of teacher and student'),
  scaleByTemperatureSquared: z.boolean().default(false).describe('multiply the distillation loss by tau^2'),
  alpha: z.number().nonnegative().default(0).describe('weight of the supervised loss on the labelled subset (0 = none)'),
  labels: z.string().min(1).optional().describe("labelled subset for alpha > 0: '1%', '10%', 'N-per-class' or FILE"),
  labelledBatchSize: z.number().int().min(2, 'labelledBatchSize must be at least 2 (batch norm needs a batch)').optional()
    .describe('images of the labelled subset per step for alpha > 0 (default: batchSize)'),
  labelSeed: z.number().int().nonnegative().default(0),
  zeroInitLogitsLayer: z.boolean().default(false),
  /** Student architecture: any key given overrides the teacher's (e.g. widthMultiplier 0.5 = a half-width student). */
  ...architectureFields,
  ...trainingFields,
  learningRate: z.number().positive().default(0.1),
  weightDecay: z.number().nonnegative().default(1e-4),
}).superRefine((c, ctx) => {
  requireLength(c, ctx);
  checkTrainingOptions(c, ctx);
  if (c.alpha > 0 && c.labels === undefined) ctx.addIssue({ code: 'custom', path: ['labels'], message: 'alpha > 0 adds a supervised loss: give the labelled subset (labels)' });
  if (c.labelledBatchSize !== undefined && c.alpha === 0) ctx.addIssue({ code: 'custom', path: ['labelledBatchSize'], message: 'labelledBatchSize applies to the supervised term: set alpha > 0 too' });
  if (c.labels !== undefined) {
    try {
      parseLabelsSpec(c.labels);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, path: ['labels'] });
    }
  }
  if ((c.fineTuneAfterBlock ?? -1) >= 0 && c.studentFrom === undefined) {
    ctx.addIssue({ code: 'custom', path: ['fineTuneAfterBlock'], message: 'freezing blocks keeps pretrained weights: give studentFrom too (a random student must train every layer)' });
  }
  if (c.studentFrom !== undefined) {
    for (const key of ARCHITECTURE_KEYS) {
      if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `the student's architecture comes from studentFrom '${c.studentFrom}'; remove ${key}` });
    }
  }
});

export type DistillConfig = Readonly<z.output<typeof distillSchema>>;
export type DistillConfigInput = z.input<typeof distillSchema>;

export const distillPresets: Record<string, Partial<DistillConfigInput>> = {
  /** Smoke tests: seconds. */
  tiny: {
    data: 'fashion-mnist', trainLimit: 256, batchSize: 16, steps: 6, optimizer: 'sgd', learningRate: 0.05, lrScaling: 'none',
    weightDecay: 0, evalLimit: 128, logEvery: 1,
  },
};

export function validateDistillConfig(input: Record<string, unknown>, source = 'distill configuration'): DistillConfig {
  return validateStageConfig(distillSchema, input, source);
}

/** defaults < preset < file < overrides (flags). */
export function resolveDistillConfig(o: StageResolveOptions): DistillConfig {
  return resolveStageConfig(distillSchema, distillPresets, 'distill', o);
}
