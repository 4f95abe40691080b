// `simclr pipeline`: the whole paper in one command (pretrain, fine-tune on 1% and 10%, supervised baseline,
// self- and small-student distillation, report), resumable stage by stage.
import type { Command } from 'commander';
import { initWorld } from '../../distributed/world_c10d.js';
import { ignoreEvents } from '../../pipeline/events.js';
import { pipelinePresets } from '../../pipeline/pipeline_presets.js';
import { runPipeline } from '../../pipeline/semi_supervised.js';
import { StopSignal } from '../../pipeline/stop_signal.js';
import { numberArg } from '../args.js';
import { consoleReporter } from '../progress.js';

export function registerPipeline(program: Command): void {
  program.command('pipeline')
    .description('pretrain -> fine-tune (1%, 10%) + supervised baseline -> distil (self, small) -> report.md/html')
    .requiredOption('--out <dir>', 'folder of the stage run folders and the report (rerun to resume)')
    .option('--preset <name>', `plan: ${Object.keys(pipelinePresets).join(', ')}`, 'fashion-mnist-cpu')
    .option('--data <spec>', 'data for every stage (default: the preset\'s, fashion-mnist)')
    .option('--threads <n>', 'intra-op threads for every stage', numberArg('--threads'))
    .option('--seed <n>', 'seed for every stage', numberArg('--seed'))
    .option('--quiet', 'log lines instead of progress bars')
    .action(async (o) => {
      const plan = pipelinePresets[o.preset];
      if (!plan) throw new Error(`--preset '${o.preset}': known plans are ${Object.keys(pipelinePresets).join(', ')}`);
      const common = Object.fromEntries(Object.entries({ data: o.data, threads: o.threads, seed: o.seed }).filter(([, v]) => v !== undefined));
      const world = initWorld(); // data parallel under `simclr launch`
      const reporter = consoleReporter({ quiet: o.quiet === true });
      const stop = StopSignal.fromProcess((signal) => process.stderr.write(`\n${signal}: finishing the step and writing a checkpoint (again to abort)\n`));
      try {
        const result = await runPipeline({ out: o.out, plan, common, onEvent: world.rank === 0 ? reporter : ignoreEvents, stop, world });
        world.close();
        if (!result) {
          process.stderr.write(`pipeline interrupted: rerun the same command to resume\n`);
          process.exitCode = 130;
          return;
        }
        process.stdout.write(`${JSON.stringify({ report: result.report.markdown, html: result.report.html, wall_s: result.wall_s, results: result.results })}\n`);
      } finally {
        reporter.stop();
        stop.dispose();
      }
    });
}
