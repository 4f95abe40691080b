// `simclr export --onnx FILE`: a checkpoint as an ONNX model (opset 17, dynamic batch) for onnxruntime in Node, the
// browser or Python: a pretrained encoder (image -> features) or a fine-tuned / distilled classifier (probabilities).
import { Option, type Command } from 'commander';
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
    .action(async (checkpoint: string, o) => {
      const feature = o.feature === undefined ? undefined : parseFeature(o.feature);
      if (feature !== undefined && o.what === 'classifier') throw new Error('--feature applies to --what encoder, not to a classifier');
      // Flags are checked before libtorch loads, the output path before the checkpoint does: a typo costs no model load.
      const { checkOnnxPath, saveOnnx } = await import('../../export/index.js');
      checkOnnxPath(o.onnx);
      const { loadModel } = await import('../../pipeline/index.js');
      const m = await loadModel(checkpoint, { preferBest: o.best === true });
      try {
        const what = o.what ?? (feature === undefined && CLASSIFIER_KINDS.has(m.kind) && m.model.supervisedHead ? 'classifier' : 'encoder');
        const r = saveOnnx(o.onnx, m.model, {
          what, feature, classNames: what === 'classifier' ? m.classNames : null, source: `checkpoint ${m.path}`,
          metadata: { 'simclr.checkpoint_kind': m.kind },
        });
        const { input, output } = r.info;
        process.stdout.write(`${JSON.stringify({
          out: r.path, info: r.infoPath, what, opset: r.info.opset, input: { name: input.name, shape: input.shape }, output: { name: output.name, shape: output.shape }, bytes: r.bytes.length,
        })}\n`);
      } finally {
        m.dispose();
      }
    });
}
