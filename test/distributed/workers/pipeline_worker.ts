// Worker for pipeline.test.ts: the tiny semi-supervised pipeline (one label fraction) in a data-parallel world joined
// from the environment, as `simclr launch -- pipeline ...` runs it. argv: out folder. Prints the result rows.
import { initWorld } from '../../../src/distributed/world_c10d.js';
import { pipelinePresets } from '../../../src/pipeline/config/pipeline_presets.js';
import { runPipeline } from '../../../src/pipeline/stages/semi_supervised.js';

const [out] = process.argv.slice(2);
try {
  const world = initWorld();
  const result = await runPipeline({ out, plan: { ...pipelinePresets.tiny, fractions: ['10%'] }, common: { threads: 1 }, world });
  world.close();
  process.stdout.write(`${JSON.stringify({ rank: world.rank, results: result?.results ?? null, report: result?.report.markdown ?? null })}\n`);
} catch (err) {
  process.stderr.write(`simclr: ${(err as Error).stack}\n`);
  process.exitCode = 1;
}
