// The shape every training command shares: --out, --preset, --config, --resume, --quiet, a flag per config key,
// SIGINT/SIGTERM handled by checkpointing, progress rendering, the summary printed as one JSON line, and data-parallel
// training when started by `simclr launch` or torchrun-style variables (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
import type { Command } from 'commander';
import type { z } from 'zod';
import type { World } from '../distributed/world.js';
import { ignoreEvents, type EventSink } from '../pipeline/run/events.js';
import type { StageResolveOptions } from '../pipeline/config/stage_config.js';
import { StopSignal } from '../pipeline/run/stop_signal.js';
import { consoleReporter } from './progress.js';
import { removeUnstartedRunDirOnFailure } from './run_dir.js';
import { addSchemaFlags, schemaOverrides } from './schema_flags.js';

export interface StageCommandSpec<C> {
  name: string;
  description: string;
  schema: { shape: Record<string, z.ZodType> };
  presets: Record<string, unknown>;
  resolve(options: StageResolveOptions): C;
  run(config: C, options: { out: string; resume: boolean; onEvent: EventSink; stop: StopSignal; world: World }): Promise<unknown>;
}

export function registerStageCommand<C>(program: Command, spec: StageCommandSpec<C>): Command {
  const command = program.command(spec.name)
    .description(spec.description)
    .requiredOption('--out <dir>', 'run folder (config.json, metrics.jsonl, checkpoints/, summary.json)')
    .option('--preset <name>', `start from a preset: ${Object.keys(spec.presets).join(', ')}`)
    .option('--config <file>', 'JSON or YAML file of settings (unknown keys are rejected)')
    .option('--resume', 'continue the run in --out from its newest checkpoint')
    .option('--quiet', 'log lines instead of a progress bar');
  addSchemaFlags(command, spec.schema.shape);
  command.action(async (opts: Record<string, unknown>) => {
    const config = spec.resolve({ preset: opts.preset as string | undefined, file: opts.config as string | undefined, overrides: schemaOverrides(opts, spec.schema.shape) });
    // Loaded only once the settings are valid: c10d (and libtorch with it) costs ~1 s of start-up a typo need not pay.
    const { initWorld } = await import('../distributed/world_c10d.js');
    const { tuneMalloc } = await import('../tensor/runtime.js');
    tuneMalloc(); // training-speed heap settings for this process (src/tensor/runtime.ts says why)
    const world = initWorld();
    const reporter = consoleReporter({ quiet: opts.quiet === true });
    const stop = StopSignal.fromProcess((signal) => process.stderr.write(`\n${signal}: finishing the step and writing a checkpoint (again to abort at once); continue later with --resume\n`));
    try {
      // Every rank logs the same global-batch figures: rank 0 alone shows them.
      const onEvent = world.rank === 0 ? reporter : ignoreEvents;
      const out = opts.out as string;
      const summary = await removeUnstartedRunDirOnFailure(out, () => spec.run(config, { out, resume: opts.resume === true, onEvent, stop, world }));
      world.close();
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
      reporter.stop();
      stop.dispose();
    }
  });
  return command;
}
