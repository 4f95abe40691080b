// `simclr distill`: distil a fine-tuned teacher into a same-size or smaller student on the unlabeled images; data
// parallel under `simclr launch`.
import type { Command } from 'commander';
import { distillPresets, distillSchema, resolveDistillConfig } from '../../pipeline/config/distill_config.js';
import { registerStageCommand } from '../stage_command.js';

export function registerDistill(program: Command): void {
  registerStageCommand(program, {
    name: 'distill',
    description: "distil a fine-tuned teacher into a student (self-distillation or smaller) with the teacher's softened predictions",
    schema: distillSchema, presets: distillPresets, resolve: resolveDistillConfig,
    run: async (c, o) => (await import('../../pipeline/stages/distill.js')).distill(c, o), // loaded after validation: fast errors
  });
}
