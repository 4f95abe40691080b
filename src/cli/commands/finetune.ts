// `simclr finetune`: supervised fine-tuning from a middle projection layer on a labelled subset; without
// --from, the supervised baseline trained from scratch on the same subset. Data parallel under `simclr launch`.
import type { Command } from 'commander';
import { finetunePresets, finetuneSchema, resolveFinetuneConfig } from '../../pipeline/config/finetune_config.js';
import { registerStageCommand } from '../stage_command.js';

export function registerFinetune(program: Command): void {
  registerStageCommand(program, {
    name: 'finetune',
    description: 'fine-tune a pretrained model on 1% / 10% / N-per-class labels (no --from: supervised baseline from scratch)',
    schema: finetuneSchema, presets: finetunePresets, resolve: resolveFinetuneConfig,
    run: async (c, o) => (await import('../../pipeline/stages/finetune.js')).finetune(c, o), // loaded after validation: fast errors
  });
}
