// `simclr embed` and `simclr predict`: features or class probabilities for a folder of images, as .npy or JSON lines.
import type { Command } from 'commander';
import { loadModel, writeEmbeddings, writePredictions } from '../../pipeline/predict.js';
import { dispose } from '../../tensor/scope.js';
import { numberArg } from '../args.js';

export function registerPredict(program: Command): void {
  program.command('embed')
    .description('write features of every image in a folder (.npy or .jsonl)')
    .argument('<checkpoint>', 'checkpoint file or run folder')
    .requiredOption('--images <dir>', 'folder of images (searched recursively)')
    .requiredOption('--out <file>', 'output: .npy (float32, N x D) or .jsonl (one {file, features} per line)')
    .option('--feature <which>', "'h' (encoder output), 'z' (last projection) or a projection layer number", 'h')
    .option('--batch-size <n>', 'images per forward pass', numberArg('--batch-size'), 256)
    .action(async (checkpoint: string, o) => {
      const model = await loadModel(checkpoint);
      try {
        const feature = o.feature === 'h' || o.feature === 'z' ? o.feature : Number(o.feature);
        if (typeof feature === 'number' && !Number.isInteger(feature)) throw new Error(`--feature '${o.feature}': expected h, z or a layer number`);
        const e = await model.embed(o.images, { feature, batchSize: o.batchSize });
        writeEmbeddings(o.out, e);
        process.stdout.write(`${JSON.stringify({ out: o.out, images: e.features.shape[0], dim: e.features.shape[1] })}\n`);
        dispose(e.features);
      } finally {
        model.dispose();
      }
    });
  program.command('predict')
    .description('write class probabilities for every image in a folder (.npy or .jsonl)')
    .argument('<checkpoint>', 'a fine-tuned or distilled checkpoint (file or run folder)')
    .requiredOption('--images <dir>', 'folder of images (searched recursively)')
    .requiredOption('--out <file>', 'output: .npy (float32, N x K) or .jsonl (one {file, class, probabilities} per line)')
    .option('--batch-size <n>', 'images per forward pass', numberArg('--batch-size'), 256)
    .option('--best', "from a run folder: its 'best' checkpoint")
    .action(async (checkpoint: string, o) => {
      const model = await loadModel(checkpoint, { preferBest: o.best === true });
      try {
        const p = await model.predict(o.images, { batchSize: o.batchSize });
        writePredictions(o.out, p);
        process.stdout.write(`${JSON.stringify({ out: o.out, images: p.probabilities.shape[0], classes: p.probabilities.shape[1] })}\n`);
        dispose(p.probabilities);
      } finally {
        model.dispose();
      }
    });
}
