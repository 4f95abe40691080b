// `simclr embed` and `simclr predict`: features or class probabilities for a folder of images, as .npy or JSON lines.
import type { Command } from 'commander';
import { checkOutputPath, outputFormat } from '../../pipeline/run/output_path.js';
import { dispose } from '../../tensor/index.js';
import { positiveIntArg } from '../args.js';
import { batchProgress } from '../batch_progress.js';
import { interruptSignal } from '../interrupt.js';

/** 'h', 'z' or a projection layer number >= 0. */
export function parseFeature(raw: string): 'h' | 'z' | number {
  if (raw === 'h' || raw === 'z') return raw;
  const layer = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(layer) || layer < 0) throw new Error(`--feature '${raw}': expected h, z or a projection layer number >= 0`);
  return layer;
}

/** The output's format and folder are checked before the model loads, so a typo costs no inference. */
function checkOut(out: string): void {
  outputFormat(out);
  checkOutputPath(out);
}

export function registerPredict(program: Command): void {
  program.command('embed')
    .description('write features of every image in a folder (.npy + .npy.json naming the rows, or .jsonl)')
    .argument('<checkpoint>', 'checkpoint file or run folder')
    .requiredOption('--images <dir>', 'folder of images (searched recursively)')
    .requiredOption('--out <file>', 'output: .npy (float32, N x D; rows named in <out>.json) or .jsonl (one {file, embedding} per line)')
    .option('--feature <which>', "'h' (encoder output), 'z' (last projection) or a projection layer number", 'h')
    .option('--batch-size <n>', 'images per forward pass', positiveIntArg('--batch-size'), 256)
    .option('--skip-bad', 'leave out unreadable images (listed in a warning) instead of failing')
    .option('--device <d>', 'cpu, cuda or cuda:N (the output is written from the CPU either way)', 'cpu')
    .action(async (checkpoint: string, o) => {
      const signal = interruptSignal();
      const feature = parseFeature(o.feature);
      checkOut(o.out);
      const { loadModel, writeEmbeddings } = await import('../../pipeline/stages/predict.js'); // libtorch: after the checks
      const model = await loadModel(checkpoint, { device: o.device });
      try {
        const e = await model.embed(o.images, { feature, batchSize: o.batchSize, skipBad: o.skipBad === true, signal, onProgress: batchProgress('embed') });
        writeEmbeddings(o.out, e);
        process.stdout.write(`${JSON.stringify({ out: o.out, images: e.features.shape[0], dim: e.features.shape[1] })}\n`);
        dispose(e.features);
      } finally {
        model.dispose();
      }
    });
  program.command('predict')
    .description('write class probabilities for every image in a folder (.npy + .npy.json naming rows and classes, or .jsonl)')
    .argument('<checkpoint>', 'a fine-tuned or distilled checkpoint (file or run folder)')
    .requiredOption('--images <dir>', 'folder of images (searched recursively)')
    .requiredOption('--out <file>', 'output: .npy (float32, N x K; files and class names in <out>.json) or .jsonl (one {file, label, class, probabilities} per line)')
    .option('--batch-size <n>', 'images per forward pass', positiveIntArg('--batch-size'), 256)
    .option('--best', "from a run folder: its 'best' checkpoint")
    .option('--skip-bad', 'leave out unreadable images (listed in a warning) instead of failing')
    .option('--device <d>', 'cpu, cuda or cuda:N (the output is written from the CPU either way)', 'cpu')
    .action(async (checkpoint: string, o) => {
      const signal = interruptSignal();
      checkOut(o.out);
      const { loadModel, writePredictions } = await import('../../pipeline/stages/predict.js'); // libtorch: after the checks
      const model = await loadModel(checkpoint, { preferBest: o.best === true, device: o.device });
      try {
        const p = await model.predict(o.images, { batchSize: o.batchSize, skipBad: o.skipBad === true, signal, onProgress: batchProgress('predict') });
        writePredictions(o.out, p);
        process.stdout.write(`${JSON.stringify({ out: o.out, images: p.probabilities.shape[0], classes: p.probabilities.shape[1] })}\n`);
        dispose(p.probabilities);
      } finally {
        model.dispose();
      }
    });
}
