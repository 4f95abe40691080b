// `simclr show-augment`: a PNG grid of images and their two SimCLR views, to see the recipe at work.
import type { Command } from 'commander';
import { writeAugmentGrid } from '../../data/grid.js';
import { loadDataSpec } from '../../data/spec.js';
import { Generator } from '../../tensor/random.js';
import { numberArg } from '../args.js';

export function registerShowAugment(program: Command): void {
  program.command('show-augment')
    .description('write a PNG grid: each row an original image and two augmented views')
    .requiredOption('--data <spec>', 'fashion-mnist, cifar10:DIR, folder:DIR, idx:IMAGES,LABELS')
    .requiredOption('--out <file.png>', 'where to write the grid')
    .option('--n <images>', 'rows', numberArg('--n'), 8)
    .option('--seed <n>', 'random seed', numberArg('--seed'), 0)
    .option('--color-strength <s>', 'colour distortion strength', numberArg('--color-strength'), 0.5)
    .option('--crop-min-area <a>', 'smallest crop area fraction', numberArg('--crop-min-area'), 0.08)
    .option('--blur', 'Gaussian blur on (default: on for images larger than 32x32)')
    .option('--no-blur', 'Gaussian blur off')
    .action(async (o) => {
      const { train } = await loadDataSpec(o.data);
      const result = await writeAugmentGrid({
        dataset: train, n: o.n, out: o.out, generator: new Generator(o.seed), colorStrength: o.colorStrength,
        areaRange: [o.cropMinArea, 1], blur: o.blur === undefined ? 'auto' : o.blur,
      });
      process.stdout.write(`${JSON.stringify({ out: result.out, indices: result.indices })}\n`);
    });
}
