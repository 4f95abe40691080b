// `simclr pretrain`: SimCLRv2 self-supervised pretraining into a run folder. Started by `simclr launch` or
// torchrun-style environment variables (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), it joins the process group
// and trains data-parallel: global negatives, synchronised batch norm, all-reduced gradients.
import type { Command } from 'commander';
import { initWorld } from '../../distributed/world_c10d.js';
import { pretrain } from '../../pipeline/pretrain.js';
import { pretrainPresets, pretrainSchema, resolvePretrainConfig } from '../../pipeline/pretrain_config.js';
import { registerStageCommand } from '../stage_command.js';

export function registerPretrain(program: Command): void {
  registerStageCommand(program, {
    name: 'pretrain',
    description: 'self-supervised SimCLRv2 pretraining (NT-Xent, 3-layer projection head, LARS) into a run folder',
    schema: pretrainSchema, presets: pretrainPresets, resolve: resolvePretrainConfig,
    run: async (config, options) => {
      const world = initWorld();
      const summary = await pretrain(config, { ...options, world });
      world.close();
      return summary;
    },
  });
}
