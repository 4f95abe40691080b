// `simclr summary`: layer table and parameter counts of a model, like torchinfo (no weights allocated).
import { Option, type Command } from 'commander';
import { nonNegativeIntArg, numberArg, positiveIntArg } from '../args.js';

export function registerSummary(program: Command): void {
  program.command('summary')
    .description('print the layer table and parameter counts (encoder, heads, total) of a SimCLRv2 ResNet')
    .addOption(new Option('--arch <name>', 'resnet18 | resnet34 | resnet50 | resnet101 | resnet152 | resnet200').default('resnet50'))
    .option('--width <multiplier>', 'width multiplier (1, 2, 3, or fractional such as 0.25)', numberArg('--width', { gt: 0, max: 64 }), 1)
    .option('--sk <ratio>', 'selective kernels ratio (paper: 0.0625; 0 = off)', numberArg('--sk', { min: 0, lt: 1 }), 0)
    .option('--se <ratio>', 'squeeze-excitation ratio (0 = off)', numberArg('--se', { min: 0, max: 1 }), 0)
    .option('--image-size <pixels>', 'input side; <= 32 uses the CIFAR stem', positiveIntArg('--image-size', 8192), 224)
    .option('--in-channels <n>', 'input channels', positiveIntArg('--in-channels', 64), 3)
    .option('--num-classes <n>', 'classes of a supervised head (0 = none)', nonNegativeIntArg('--num-classes', 1_000_000), 0)
    .option('--proj-layers <n>', 'projection head layers', nonNegativeIntArg('--proj-layers', 16), 3)
    .option('--json', 'print one JSON object instead of the table')
    .action(async (o) => {
      const match = /^resnet(18|34|50|101|152|200)$/.exec(String(o.arch));
      if (!match) throw new Error(`--arch '${o.arch}': expected resnet18, resnet34, resnet50, resnet101, resnet152 or resnet200`);
      const { formatSummaryTable, modelSummary } = await import('../../models/summary.js'); // after the flags are checked
      const summary = modelSummary({
        depth: Number(match[1]), widthMultiplier: o.width, skRatio: o.sk, seRatio: o.se, imageSize: o.imageSize, inChannels: o.inChannels,
        numClasses: o.numClasses, projHead: { mode: o.projLayers > 0 ? 'nonlinear' : 'none', numLayers: o.projLayers, outDim: 128 },
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ arch: o.arch, width: o.width, sk: o.sk, image_size: summary.imageSize, params_encoder: summary.paramsEncoder, params_heads: summary.paramsHeads, params_total: summary.total, layers: summary.rows })}\n`);
      } else process.stdout.write(`${formatSummaryTable(summary)}\n`);
    });
}
