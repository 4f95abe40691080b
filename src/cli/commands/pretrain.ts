// `simclr pretrain`: SimCLRv2 self-supervised pretraining into a run folder; data parallel under `simclr launch`
// (global negatives, synchronised batch norm, all-reduced gradients).
import type { Command } from 'commander';
import { pretrainPresets, pretrainSchema, resolvePretrainConfig } from '../../pipeline/config/pretrain_config.js';
import { registerStageCommand } from '../stage_command.js';

export function registerPretrain(program: Command): void {
  registerStageCommand(program, {
    name: 'pretrain',
    description: 'self-supervised SimCLRv2 pretraining (NT-Xent, 3-layer projection head, LARS) into a run folder',
    schema: pretrainSchema, presets: pretrainPresets, resolve: resolvePretrainConfig,
    run: async (c, o) => (await import('../../pipeline/stages/pretrain.js')).pretrain(c, o), // loaded after validation: fast errors
  });
}
