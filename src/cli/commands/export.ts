// `simclr export --onnx FILE`: a checkpoint as an ONNX model (opset 17, dynamic batch) for onnxruntime in Node, the
// browser or Python: a pretrained encoder (image -> features) or a fine-tuned / distilled classifier (probabilities).
import { Option, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LoadedModel } from '../../pipeline/index.js';
import { parseFeature } from './predict.js';

/** Checkpoint kinds whose model is a classifier; a pretraining checkpoint exports its encoder by default. */
const CLASSIFIER_KINDS = new Set(['finetune', 'distill', 'supervised']);

export function registerExport(program: Command): void {
  program.command('export')
    .description('write a checkpoint (file or run folder) as an ONNX model: encoder features or classifier probabilities')
    .argument('<checkpoint>', 'checkpoint .json / .safetensors or a run folder (its newest checkpoint)')
    .requiredOption('--onnx <file>', 'output .onnx file, plus <file>.json describing its input, output and classes (each written atomically)')
    .addOption(new Option('--what <graph>', 'encoder: image -> features; classifier: image -> class probabilities (default: classifier for fine-tuned, distilled and supervised checkpoints, encoder for pretraining ones)').choices(['encoder', 'classifier']))
    .option('--feature <which>', "encoder output: 'h' (encoder output, default), 'z' (last projection) or a projection layer number")
    .option('--best', "from a run folder: its 'best' checkpoint")
    .option('--gallery [n]', 'encoder: also write <file>.gallery.json, n class-balanced training images (default 200) with their normalised features, for nearest neighbours in examples/browser')
    .option('--gallery-data <data>', "the gallery's training images, as --data of pretrain (default: the run's config.json data)")
    .action(async (checkpoint: string, o) => {
      const feature = o.feature === undefined ? undefined : parseFeature(o.feature);
      if (feature !== undefined && o.what === 'classifier') throw new Error('--feature applies to --what encoder, not to a classifier');
      if (o.gallery !== undefined && o.what === 'classifier') throw new Error('--gallery applies to --what encoder, not to a classifier');
      if (o.galleryData !== undefined && o.gallery === undefined) throw new Error('--gallery-data needs --gallery');
      // Flags are checked before the checkpoint loads, the output path too: a typo costs no model load.
      const { checkGallerySize, checkOnnxPath, saveOnnx, DEFAULT_GALLERY_SIZE } = await import('../../export/index.js');
      const gallerySize = o.gallery === undefined ? null : checkGallerySize(o.gallery === true ? DEFAULT_GALLERY_SIZE : Number(o.gallery));
      checkOnnxPath(o.onnx);
      const { loadModel } = await import('../../pipeline/index.js');
      const m = await loadModel(checkpoint, { preferBest: o.best === true });
      try {
        const what = o.what ?? (feature === undefined && gallerySize === null && CLASSIFIER_KINDS.has(m.kind) && m.model.supervisedHead ? 'classifier' : 'encoder');
        const galleryData = gallerySize === null ? null : (o.galleryData as string | undefined) ?? runData(m.path);
        const r = saveOnnx(o.onnx, m.model, {
          what, feature, classNames: what === 'classifier' ? m.classNames : null, source: `checkpoint ${m.path}`,
          metadata: { 'simclr.checkpoint_kind': m.kind },
        });
        const { input, output } = r.info;
        const gallery = gallerySize === null ? {} : { gallery: await writeGallery(m, r.path, galleryData!, gallerySize, r.info.projectionLayer, Number(output.shape[1])) };
        process.stdout.write(`${JSON.stringify({
          out: r.path, info: r.infoPath, what, opset: r.info.opset, input: { name: input.name, shape: input.shape }, output: { name: output.name, shape: output.shape }, bytes: r.bytes.length, ...gallery,
        })}\n`);
      } finally {
        m.dispose();
      }
    });
}

/** The data string of the run a checkpoint belongs to (<run>/checkpoints/step-N.json -> <run>/config.json). */
function runData(sidecarPath: string): string {
  const config = join(dirname(dirname(sidecarPath)), 'config.json');
  const data = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as { data?: unknown }).data : undefined;
  if (typeof data !== 'string') throw new Error(`--gallery: no run config with a data string at ${config}: name the training images with --gallery-data`);
  return data;
}

/** Chooses the gallery from the training split, embeds it as `simclr embed` does, writes <onnx>.gallery.json. */
async function writeGallery(m: LoadedModel, onnx: string, data: string, n: number, layer: number, dim: number): Promise<{ path: string; images: number; bytes: number }> {
  const { loadDataSpec, subsetDataset } = await import('../../data/index.js');
  const { buildGallery, chooseGallery, galleryPath, saveGallery } = await import('../../export/index.js');
  const d = m.description;
  const { train } = await loadDataSpec(data, { size: d.imageSize, channels: d.inChannels as 1 | 3 });
  if (train.channels !== d.inChannels) throw new Error(`--gallery-data ${data}: ${train.channels}-channel images, but the model takes ${d.inChannels}`);
  if (train.height !== d.imageSize || train.width !== d.imageSize) {
    throw new Error(`--gallery-data ${data}: ${train.height} x ${train.width} images, but the model takes ${d.imageSize} x ${d.imageSize}`);
  }
  const indices = chooseGallery(train, n);
  const { features } = await m.embed(subsetDataset(train, indices), { feature: layer }); // (n, D)
  try {
    const gallery = await buildGallery(train, indices, features, { onnx, projectionLayer: layer, dim });
    const path = galleryPath(onnx);
    return { path, images: indices.length, bytes: saveGallery(path, gallery) };
  } finally {
    features.dispose();
  }
}
