// ONNX parity: for every architecture family (plain, SE, selective kernels with the ResNet-D stem and shortcut, basic
// and bottleneck blocks, stems cifar / stride2 / imagenet, 1 and 3 channels, several widths), onnxruntime-node's output
// equals the libtorch eval forward within 1e-4 (max abs) at batch 1 and 8, for the encoder and the classifier graphs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportOnnx } from '../../src/export/index.js';
import type { ModelDescriptionInput } from '../../src/models/index.js';
import { liveTensors, manualSeed } from '../../src/tensor/index.js';
import { decodeModel, maxAbsDiff, perturbedModel, runOnnx, testImages, torchForward } from './helpers.js';

const TOLERANCE = 1e-4;
const head = { mode: 'nonlinear', numLayers: 3, outDim: 16 } as const;

interface Family {
  name: string;
  description: ModelDescriptionInput;
  /** Encoder output tested: a projection layer (0 = h). */
  feature: 'h' | 'z' | number;
  /** Op types the graph must contain (evidence that the family's layers were exported, not skipped). */
  ops: string[];
}

const FAMILIES: Family[] = [
  { name: 'R18 plain, cifar stem, 3 ch, x0.125', description: { depth: 18, widthMultiplier: 0.125, imageSize: 16, stem: 'cifar', projHead: head, numClasses: 5, ftProjSelector: 1 }, feature: 'h', ops: ['Conv', 'Add'] },
  { name: 'R18 plain, stride2 stem, 1 ch, x0.25', description: { depth: 18, widthMultiplier: 0.25, inChannels: 1, imageSize: 28, stem: 'stride2', projHead: head, numClasses: 10, ftProjSelector: 2 }, feature: 'z', ops: ['Conv'] },
  { name: 'R18 plain, imagenet stem, 3 ch, x0.125', description: { depth: 18, widthMultiplier: 0.125, imageSize: 36, stem: 'imagenet', projHead: { mode: 'none' }, numClasses: 4, ftProjSelector: 0 }, feature: 'h', ops: ['MaxPool'] },
  { name: 'R18 plain, cifar stem, 3 ch, x0.5, linear head', description: { depth: 18, widthMultiplier: 0.5, imageSize: 8, stem: 'cifar', projHead: { mode: 'linear', outDim: 32 }, numClasses: 4, ftProjSelector: -1 }, feature: 'z', ops: ['Gemm'] },
  { name: 'R34 + SE, cifar stem, 1 ch, x0.125', description: { depth: 34, widthMultiplier: 0.125, inChannels: 1, imageSize: 12, stem: 'cifar', seRatio: 0.25, projHead: head, numClasses: 3, ftProjSelector: -1 }, feature: 1, ops: ['Sigmoid', 'Mul'] },
  { name: 'R18 + SK (ResNet-D stem/shortcut), imagenet stem, 1 ch, x0.125', description: { depth: 18, widthMultiplier: 0.125, inChannels: 1, imageSize: 30, stem: 'imagenet', skRatio: 0.0625, projHead: { ...head, hiddenDim: 24 }, numClasses: 6, ftProjSelector: 1 }, feature: 2, ops: ['AveragePool', 'MaxPool'] },
  { name: 'R50 plain, stride2 stem, 3 ch, x0.125', description: { depth: 50, widthMultiplier: 0.125, imageSize: 28, stem: 'stride2', projHead: head, numClasses: 10, ftProjSelector: 1 }, feature: 'h', ops: ['Conv'] },
  { name: 'R50 + SK (ResNet-D stem/shortcut), imagenet stem, 3 ch, x0.125', description: { depth: 50, widthMultiplier: 0.125, imageSize: 28, stem: 'imagenet', skRatio: 0.0625, projHead: head, numClasses: 5, ftProjSelector: 1 }, feature: 'z', ops: ['Softmax', 'ReduceSum', 'AveragePool'] },
  { name: 'R50 + SK + SE, stride2 stem, 1 ch, x0.25', description: { depth: 50, widthMultiplier: 0.25, inChannels: 1, imageSize: 20, stem: 'stride2', skRatio: 0.0625, seRatio: 0.25, projHead: head, numClasses: 10, ftProjSelector: 1 }, feature: 1, ops: ['Softmax', 'Sigmoid', 'AveragePool'] },
];

/** family x graph x batch -> max abs difference, printed at the end (the parity table of issue 16). */
const table: string[] = [];

for (const family of FAMILIES) {
  test(`ONNX parity: ${family.name}`, async (t) => {
    manualSeed(11);
    const before = liveTensors();
    const model = perturbedModel(family.description);
    const d = model.description;
    try {
      const layers = d.projHead.keepLayers;
      const k = family.feature === 'h' ? 0 : family.feature === 'z' ? layers : family.feature;
      for (const what of ['encoder', 'classifier'] as const) {
        const exported = exportOnnx(model, { what, ...(what === 'encoder' ? { feature: family.feature } : {}) });
        const ops = new Set(decodeModel(exported.bytes).graph!.node.map((n) => n.opType));
        for (const op of family.ops) assert.ok(ops.has(op), `${what} graph has a ${op} node`);
        for (const batch of [1, 8]) {
          const x = testImages(batch, d.inChannels, d.imageSize); // (N, C, S, S) in [0, 1]
          try {
            const expected = torchForward(model, x, what, k);
            const [actual, dims] = await runOnnx(exported.bytes, x, exported.info.output.name);
            const width = what === 'classifier' ? d.numClasses : model.projectionHead.widths()[k];
            assert.deepEqual(dims, [batch, width]);
            const diff = maxAbsDiff(actual, expected);
            const scale = Math.max(...Array.from(expected, Math.abs));
            table.push(`${family.name} | ${what}${what === 'encoder' ? ` (${family.feature})` : ''} | batch ${batch} | ${diff.toExponential(2)} | max |out| ${scale.toFixed(3)}`);
            assert.ok(diff <= TOLERANCE, `${what}, batch ${batch}: max |onnx - libtorch| ${diff.toExponential(3)} > ${TOLERANCE}`);
            if (batch > 1) assert.ok(maxAbsDiff(expected.subarray(0, width), expected.subarray(width, 2 * width)) > 1e-3 * scale, 'rows differ between images');
          } finally {
            x.dispose();
          }
        }
      }
    } finally {
      model.dispose();
      t.diagnostic(table.filter((row) => row.startsWith(family.name)).join('\n'));
    }
    assert.equal(liveTensors(), before, 'no tensor leaked');
  });
}
