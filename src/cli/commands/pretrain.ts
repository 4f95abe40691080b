// `simclr pretrain`: SimCLRv2 self-supervised pretraining into a run folder.
import type { Command } from 'commander';
import { pretrain } from '../../pipeline/pretrain.js';
import { pretrainSchema, resolvePretrainConfig, pretrainPresets } from '../../pipeline/pretrain_config.js';
import { StopSignal } from '../../pipeline/stop_signal.js';
import { consoleReporter } from '../progress.js';
import { addSchemaFlags, schemaOverrides } from '../schema_flags.js';

export function registerPretrain(program: Command): void {
  const command = program.command('pretrain')
    .description('self-supervised SimCLRv2 pretraining (NT-Xent, projection head, LARS) into a run folder')
    .requiredOption('--out <dir>', 'run folder (config.json, metrics.jsonl, checkpoints/, summary.json)')
    .option('--preset <name>', `start from a preset: ${Object.keys(pretrainPresets).join(', ')}`)
    .option('--config <file>', 'JSON or YAML file of settings (unknown keys are rejected)')
    .option('--resume', 'continue the run in --out from its newest checkpoint')
    .option('--quiet', 'log lines instead of a progress bar');
  addSchemaFlags(command, pretrainSchema.shape);
  command.action(async (opts: Record<string, unknown>) => {
    const config = resolvePretrainConfig({ preset: opts.preset as string | undefined, file: opts.config as string | undefined, overrides: schemaOverrides(opts, pretrainSchema.shape) });
    const reporter = consoleReporter({ quiet: opts.quiet === true });
    const stop = StopSignal.fromProcess((signal) => process.stderr.write(`\n${signal}: finishing the step and writing a checkpoint (again to abort)\n`));
    try {
      const summary = await pretrain(config, { out: opts.out as string, resume: opts.resume === true, onEvent: reporter, stop });
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
      reporter.stop();
      stop.dispose();
    }
  });
}
