// `simclr pipeline`: the whole paper in one command (pretrain once; per label fraction and label subset: fine-tune,
// raw-pixel floors, converged supervised baseline, self- and small-student distillation; report), resumable by stage.
import { Option, type Command } from 'commander';
import { ignoreEvents } from '../../pipeline/run/events.js';
import { pipelinePresets } from '../../pipeline/config/pipeline_presets.js';
import { StopSignal } from '../../pipeline/run/stop_signal.js';
import { nonNegativeIntArg, positiveIntArg } from '../args.js';
import { consoleReporter } from '../progress.js';
import { removeUnstartedRunDirOnFailure } from '../run_dir.js';

/** '0,1,2' -> [0, 1, 2]: distinct whole numbers >= 0. */
export function labelSeedsArg(raw: string): number[] {
  const seeds = raw.split(',').map((part) => part.trim());
  if (seeds.some((part) => !/^\d+$/.test(part))) throw new Error(`--label-seeds expects whole numbers >= 0 separated by commas (e.g. 0,1,2), got '${raw}'`);
  const values = seeds.map(Number);
  if (new Set(values).size !== values.length) throw new Error(`--label-seeds repeats a seed: '${raw}'`);
  return values;
}

export function registerPipeline(program: Command): void {
  program.command('pipeline')
    .description('pretrain once -> per label subset: fine-tune (1%, 10%), raw-pixel floors, converged supervised baseline, distil (self, small) -> report.md/html')
    .requiredOption('--out <dir>', 'folder of the stage run folders and the report (rerun to resume)')
    .option('--preset <name>', `plan: ${Object.keys(pipelinePresets).join(', ')}`, 'fashion-mnist-cpu')
    .option('--data <spec>', 'data for every stage (default: the preset\'s, fashion-mnist)')
    .option('--threads <n>', 'intra-op threads for every stage', positiveIntArg('--threads', 1024))
    .option('--seed <n>', 'seed of every stage\'s initialisation and data order (not the label subset: --label-seed)', nonNegativeIntArg('--seed'))
    .option('--label-seed <n>', 'seed of the class-balanced label subset (default 0)', nonNegativeIntArg('--label-seed'))
    .option('--label-seeds <list>', 'several label subsets, e.g. 0,1,2: one shared pretraining, every other stage per subset; the report gives mean ± std', labelSeedsArg)
    .addOption(new Option('--precision <p>', 'every training stage: fp32, bf16 (CPU autocast; fast where the CPU has AVX512-BF16) or fp16 (CUDA); auto: bf16 where native, else fp32').choices(['fp32', 'bf16', 'fp16', 'auto']))
    .option('--device <d>', 'every training stage: cpu (default), cuda or cuda:N; under simclr launch, cuda gives each process cuda:LOCAL_RANK')
    .option('--skip-bad', 'every stage leaves out unreadable images and empty class folders (listed in a warning)')
    .option('--no-pictures', 'leave the report\'s pictures out (retrieval grids, embedding map, label efficiency, confusion matrix)')
    .option('--quiet', 'log lines instead of progress bars')
    .action(async (o) => {
      const preset = pipelinePresets[o.preset];
      if (!preset) throw new Error(`--preset '${o.preset}': known plans are ${Object.keys(pipelinePresets).join(', ')}`);
      const plan = o.pictures === false ? { ...preset, pictures: false } : preset;
      if (o.labelSeed !== undefined && o.labelSeeds !== undefined) throw new Error('give --label-seed or --label-seeds, not both');
      const labelSeeds: number[] = o.labelSeeds ?? [o.labelSeed ?? 0];
      const common = Object.fromEntries(Object.entries({ data: o.data, threads: o.threads, seed: o.seed, precision: o.precision, device: o.device, skipBad: o.skipBad }).filter(([, v]) => v !== undefined));
      // Loaded here, not at the top: libtorch and the report's plotting libraries (vega) cost ~2 s of start-up that the
      // other commands, and a typo here, need not pay.
      const [{ runPipeline }, { initWorld }] = await Promise.all([import('../../pipeline/stages/semi_supervised.js'), import('../../distributed/world_c10d.js')]);
      const { tuneMalloc } = await import('../../tensor/runtime.js');
      tuneMalloc(); // training-speed heap settings for this process (src/tensor/runtime.ts says why)
      const world = initWorld(); // data parallel under `simclr launch`
      const reporter = consoleReporter({ quiet: o.quiet === true });
      const stop = StopSignal.fromProcess((signal) => process.stderr.write(`\n${signal}: finishing the step and writing a checkpoint (again to abort)\n`));
      try {
        const result = await removeUnstartedRunDirOnFailure(o.out, () => runPipeline({ out: o.out, plan, common, labelSeeds, preset: o.preset, onEvent: world.rank === 0 ? reporter : ignoreEvents, stop, world }));
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
