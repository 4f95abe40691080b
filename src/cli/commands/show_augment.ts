// `simclr show-augment`: a PNG grid of images and their two SimCLR views, to see the recipe at work.
import type { Command } from 'commander';
import { checkOutputPath } from '../../pipeline/run/output_path.js';
import { nonNegativeIntArg, numberArg, positiveIntArg } from '../args.js';

export function registerShowAugment(program: Command): void {
  program.command('show-augment')
    .description('write a PNG grid: each row an original image and two augmented views')
    .requiredOption('--data <spec>', 'fashion-mnist, cifar10:DIR, folder:DIR, idx:IMAGES,LABELS')
    .requiredOption('--out <file.png>', 'where to write the grid')
    .option('--n <images>', 'rows', positiveIntArg('--n', 1024), 8)
    .option('--seed <n>', 'random seed', nonNegativeIntArg('--seed'), 0)
    .option('--color-strength <s>', 'colour distortion strength', numberArg('--color-strength', { min: 0 }), 0.5)
    .option('--crop-min-area <a>', 'smallest crop area fraction', numberArg('--crop-min-area', { gt: 0, max: 1 }), 0.08)
    .option('--blur', 'Gaussian blur on (default: on for images larger than 32x32)')
    .option('--no-blur', 'Gaussian blur off')
    .option('--skip-bad', 'leave out unreadable images and empty class folders (listed in a warning) instead of failing')
    .action(async (o) => {
      checkOutputPath(o.out); // before the data (and libtorch) load
      const { showAugment } = await import('../../data/grid.js');
      const result = await showAugment({
        data: o.data, skipBad: o.skipBad === true, n: o.n, out: o.out, seed: o.seed, colorStrength: o.colorStrength,
        areaRange: [o.cropMinArea, 1], blur: o.blur === undefined ? 'auto' : o.blur,
      });
      process.stdout.write(`${JSON.stringify({ out: result.out, indices: result.indices })}\n`);
    });
}
