// Label efficiency on this machine: the demo recipe (pipeline preset fashion-mnist-cpu) over label subsets 0, 1, 2 with
// one shared pretraining; prints the table (mean ± std over subsets, floors, converged baseline) and the wall times.
// Usage: node --import tsx bench/label_efficiency.ts [--out runs/label-efficiency] [--preset tiny|quick|fashion-mnist-cpu]
//        [--label-seeds 0,1,2] [--threads N] [--quiet]. Rerun the same command to resume an interrupted run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleReporter } from '../src/cli/progress.js';
import { labelSeedsArg } from '../src/cli/commands/pipeline.js';
import { pipelinePresets } from '../src/pipeline/config/pipeline_presets.js';
import { pipelineCommand, runPipeline } from '../src/pipeline/stages/semi_supervised.js';
import { StopSignal } from '../src/pipeline/run/stop_signal.js';
import { resultsTable } from '../src/report/results.js';
import { tuneMalloc } from '../src/tensor/index.js';

const arg = (name: string, fallback: string | undefined) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const preset = arg('preset', 'fashion-mnist-cpu')!;
const plan = pipelinePresets[preset];
if (!plan) throw new Error(`--preset '${preset}': known plans are ${Object.keys(pipelinePresets).join(', ')}`);
const out = arg('out', `runs/label-efficiency${preset === 'fashion-mnist-cpu' ? '' : `-${preset}`}`)!;
const labelSeeds = labelSeedsArg(arg('label-seeds', '0,1,2')!);
const threads = arg('threads', undefined);
const common = threads === undefined ? {} : { threads: Number(threads) };

tuneMalloc(); // the heap settings the CLI trains with
const reporter = consoleReporter({ quiet: process.argv.includes('--quiet') });
const stop = StopSignal.fromProcess((signal) => process.stderr.write(`\n${signal}: finishing the step and writing a checkpoint; rerun to resume\n`));
try {
  const result = await runPipeline({ out, plan, common, labelSeeds, preset, onEvent: reporter, stop });
  reporter.stop();
  if (!result) {
    process.stderr.write('interrupted: rerun the same command to resume\n');
    process.exitCode = 130;
  } else {
    const pretrain = JSON.parse(readFileSync(join(out, 'pretrain', 'summary.json'), 'utf8')) as { wall_s: number };
    console.log(`\nLabel efficiency, preset ${preset}, label seeds ${labelSeeds.join(', ')} (${pipelineCommand({ out, preset, common, labelSeeds })})\n`);
    console.log(resultsTable(result.results));
    console.log(`\nPretraining (once, shared by every subset): ${pretrain.wall_s.toFixed(0)} s. ` +
      `Total: ${(result.wall_s / 60).toFixed(1)} minutes. Report: ${result.report.markdown}`);
  }
} finally {
  reporter.stop();
  stop.dispose();
}
