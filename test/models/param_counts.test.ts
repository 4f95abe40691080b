// Parameter counts: the paper's Table 1 (counted from shapes, nothing allocated), torchvision's ResNet-50, and the
// shape-only count cross-checked against the parameters of actually built models. Reference: SimCLRv2 paper Table 1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  ResNet, SimCLRModel, countEncoderParameters, encoderSpec, modelSummary, parseModelDescription, type ModelDescriptionInput,
} from '../../src/models/index.js';
import type { Module } from '../../src/nn/index.js';
import { liveTensors } from '../../src/tensor/index.js';
import { FIXTURES } from './helpers.js';

// Table 1 gives millions rounded to the nearest million; R50-1x is 23,508,032 (torchvision's count without fc), 2.05%
// under "24M", so each count is checked to round to the table's figure (|count - figure| <= 0.5M), and within 2.1%.
const TABLE_1: [string, ModelDescriptionInput, number][] = [
  ['R50-1x', { depth: 50 }, 24],
  ['R50-1x+SK', { depth: 50, skRatio: 0.0625 }, 35],
  ['R50-2x', { depth: 50, widthMultiplier: 2 }, 94],
  ['R101-1x', { depth: 101 }, 43],
  ['R152-1x', { depth: 152 }, 58],
  ['R152-3x+SK', { depth: 152, widthMultiplier: 3, skRatio: 0.0625 }, 795],
];

for (const [name, description, millions] of TABLE_1) {
  test(`${name} encoder has ${millions}M parameters (paper Table 1)`, () => {
    const count = countEncoderParameters(description);
    assert.equal(Math.round(count / 1e6), millions, `${name}: ${count} parameters`);
    assert.ok(Math.abs(count / (millions * 1e6) - 1) < 0.021, `${name}: ${count} is more than 2.1% from ${millions}M`);
  });
}

test('the largest model is counted without allocating tensors', () => {
  const before = liveTensors();
  const summary = modelSummary({ depth: 152, widthMultiplier: 3, skRatio: 0.0625, numClasses: 1000 });
  assert.equal(liveTensors(), before);
  assert.equal(summary.total, summary.paramsEncoder + summary.paramsHeads);
  // 3-layer head on 6144 features: two 6144x6144 layers + 6144x128, BN gamma/beta (last: gamma only); supervised head.
  assert.equal(summary.paramsHeads, 2 * (6144 * 6144 + 2 * 6144) + (6144 * 128 + 128) + 6144 * 1000 + 1000);
});

const torchvision = JSON.parse(readFileSync(`${FIXTURES}resnet50_torchvision_keys.json`, 'utf8')) as { num_parameters: number; state_dict: [string, number[]][] };
const torchvisionLike = parseModelDescription({ depth: 50, zeroInitResidual: false });

test('torchvision-equivalent ResNet-50 with a 1000-class fc has 25,557,032 parameters, with torchvision names and shapes', () => {
  const shapes = ResNet.paramShapes(encoderSpec(torchvisionLike, 1000));
  const total = shapes.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
  assert.equal(total, 25_557_032);
  assert.equal(total, torchvision.num_parameters);
  const buffers = /\.(running_mean|running_var|num_batches_tracked)$/;
  assert.deepEqual(shapes, torchvision.state_dict.filter(([k]) => !buffers.test(k)));
});

test('a built ResNet-50 has torchvision state-dict keys in torchvision order (buffers included)', () => {
  const model = ResNet.fromDescription(parseModelDescription({ depth: 50, widthMultiplier: 0.0625 }), { numClasses: 1000 });
  try {
    assert.deepEqual([...model.stateDict().keys()], torchvision.state_dict.map(([k]) => k));
  } finally {
    model.dispose();
  }
});

function builtShapes(model: Module): [string, number[]][] {
  return [...model.namedParameters()].map(([name, p]) => [name, p.shape]);
}

// Small models covering every branch of the architecture: block kinds, stems, SK, SE, channels, head modes, cut heads.
const VARIANTS: ModelDescriptionInput[] = [
  { depth: 18, widthMultiplier: 0.125, imageSize: 32, numClasses: 10 },
  { depth: 34, widthMultiplier: 0.125, imageSize: 224, skRatio: 0.0625, seRatio: 0.25, inChannels: 1 },
  { depth: 50, widthMultiplier: 0.125, imageSize: 32, skRatio: 0.0625, projHead: { mode: 'linear' }, numClasses: 3 },
  { depth: 50, widthMultiplier: 0.25, imageSize: 224, skRatio: 0.0625, seRatio: 0.0625, numClasses: 7, ftProjSelector: 2 },
  { depth: 101, widthMultiplier: 0.0625, imageSize: 64, projHead: { mode: 'none' }, numClasses: 2 },
  { depth: 18, widthMultiplier: 0.25, imageSize: 28, inChannels: 1, stem: 'stride2', numClasses: 10 },
  { depth: 152, widthMultiplier: 0.0625, imageSize: 28, inChannels: 1, projHead: { mode: 'nonlinear', numLayers: 2, outDim: 8 } },
  { depth: 200, widthMultiplier: 0.0625, imageSize: 96, skRatio: 0.5, projHead: { mode: 'nonlinear', numLayers: 3, keepLayers: 1 }, numClasses: 4, ftProjSelector: -1 },
];

for (const input of VARIANTS) {
  test(`shape-only count equals numParameters() of the built model: ${JSON.stringify(input)}`, () => {
    const description = parseModelDescription(input);
    const model = new SimCLRModel(description);
    try {
      assert.deepEqual(SimCLRModel.paramShapes(description), builtShapes(model));
      const summary = modelSummary(description);
      assert.equal(summary.total, model.numParameters());
      assert.equal(summary.paramsEncoder, model.encoder.numParameters());
    } finally {
      model.dispose();
    }
  });
}
