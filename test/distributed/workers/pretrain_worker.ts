// Worker for pretrain.test.ts: the pretraining stage in a data-parallel world joined from the environment, as
// `simclr launch -- pretrain ...` runs it. argv: out folder, JSON config overrides of the 'tiny' preset, 'resume'?
import { initWorld } from '../../../src/distributed/world_c10d.js';
import { pretrain } from '../../../src/pipeline/stages/pretrain.js';
import { resolvePretrainConfig } from '../../../src/pipeline/config/pretrain_config.js';

const [out, overrides, resume] = process.argv.slice(2);
try {
  const world = initWorld();
  const config = resolvePretrainConfig({ preset: 'tiny', overrides: JSON.parse(overrides) });
  const summary = await pretrain(config, {
    out, resume: resume === 'resume', world,
    onEvent: (e) => {
      if (e.type === 'step') process.stdout.write(`step ${e.step}\n`);
    },
  });
  world.close();
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} catch (err) {
  process.stderr.write(`simclr: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
