// `simclr summary`: layer table and parameter counts of a model, like torchinfo (no weights allocated).
import { Option, type Command } from 'commander';
import { formatSummaryTable, modelSummary } from '../../models/summary.js';
import { numberArg } from '../args.js';

export function registerSummary(program: Command): void {
  program.command('summary')
    .description('print the layer table and parameter counts (encoder, heads, total) of a SimCLRv2 ResNet')
    .addOption(new Option('--arch <name>', 'resnet18 | resnet34 | resnet50 | resnet101 | resnet152 | resnet200').default('resnet50'))
    .option('--width <multiplier>', 'width multiplier (1, 2, 3, or fractional such as 0.25)', numberArg('--width'), 1)
    .option('--sk <ratio>', 'selective kernels ratio (paper: 0.0625; 0 = off)', numberArg('--sk'), 0)
    .option('--se <ratio>', 'squeeze-excitation ratio (0 = off)', numberArg('--se'), 0)
    .option('--image-size <pixels>', 'input side; <= 32 uses the CIFAR stem', numberArg('--image-size'), 224)
    .option('--in-channels <n>', 'input channels', numberArg('--in-channels'), 3)
    .option('--num-classes <n>', 'classes of a supervised head (0 = none)', numberArg('--num-classes'), 0)
    .option('--proj-layers <n>', 'projection head layers', numberArg('--proj-layers'), 3)
    .option('--json', 'print one JSON object instead of the table')
    .action((o) => {
      const match = /^resnet(\d+)$/.exec(String(o.arch));
      if (!match) throw new Error(`--arch '${o.arch}': expected resnet18, resnet34, resnet50, resnet101, resnet152 or resnet200`);
      const summary = modelSummary({
        depth: Number(match[1]), widthMultiplier: o.width, skRatio: o.sk, seRatio: o.se, imageSize: o.imageSize, inChannels: o.inChannels,
        numClasses: o.numClasses, projHead: { mode: o.projLayers > 0 ? 'nonlinear' : 'none', numLayers: o.projLayers, outDim: 128 },
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ arch: o.arch, width: o.width, sk: o.sk, image_size: summary.imageSize, params_encoder: summary.paramsEncoder, params_heads: summary.paramsHeads, params_total: summary.total, layers: summary.rows })}\n`);
      } else process.stdout.write(`${formatSummaryTable(summary)}\n`);
    });
}
