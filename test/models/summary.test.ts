// modelSummary / formatSummaryTable (behind `simclr summary`): rows, counts, image-size override, and the text table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSummaryTable, modelSummary } from '../../src/models/index.js';

test('R152-3x+SK summary: counts, stages and ResNet-D stem, without building the model', () => {
  const s = modelSummary({ depth: 152, widthMultiplier: 3, skRatio: 0.0625 });
  assert.equal(s.paramsEncoder, 794_704_160);
  assert.equal(s.total, s.paramsEncoder + s.paramsHeads);
  const row = (name: string) => s.rows.find((r) => r.name === name)!;
  assert.equal(row('encoder.conv1').type, 'Sequential');
  assert.deepEqual(row('encoder.conv1').outputShape, [192, 112, 112]);
  assert.deepEqual(row('encoder.maxpool').outputShape, [192, 56, 56]);
  assert.deepEqual(row('encoder.layer4').outputShape, [6144, 7, 7]);
  assert.deepEqual(row('projection_head').outputShape, [128]);
  assert.equal(s.rows.filter((r) => r.type === 'Bottleneck').length, 3 + 8 + 36 + 3);
  const stages = ['layer1', 'layer2', 'layer3', 'layer4'].map((l) => row(`encoder.${l}`).params);
  const top = s.rows.filter((r) => r.depth === 1 && r.name.startsWith('encoder.')).reduce((n, r) => n + r.params, 0);
  assert.equal(top, s.paramsEncoder, 'the encoder parts add up');
  assert.ok(stages[3] > stages[0]);
});

test('imageSize overrides the description and re-selects the stem', () => {
  const small = modelSummary({ depth: 18 }, { imageSize: 32 });
  assert.equal(small.description.stem, 'cifar');
  assert.equal(small.rows.some((r) => r.name === 'encoder.maxpool'), false);
  assert.deepEqual(small.rows.find((r) => r.name === 'encoder.layer4')!.outputShape, [512, 4, 4]);
  const large = modelSummary({ depth: 18 });
  assert.deepEqual(large.rows.find((r) => r.name === 'encoder.layer4')!.outputShape, [512, 7, 7]);
  assert.equal(large.paramsEncoder - small.paramsEncoder, 64 * 3 * (7 * 7 - 3 * 3));
});

test('formatSummaryTable prints every row and the three counts', () => {
  const s = modelSummary({ depth: 50, numClasses: 1000, projHead: { mode: 'none' } });
  const text = formatSummaryTable(s);
  assert.match(text, /^ResNet-50 1x, imagenet stem, 3x224x224 input/);
  assert.match(text, /encoder\.layer1\.0 \(Bottleneck\) +\[B, 256, 56, 56\] +75,008/);
  assert.match(text, /supervised_head \(Linear\) +\[B, 1000\] +2,049,000/);
  assert.match(text, /Encoder params: 23,508,032/);
  assert.match(text, /Total params: +25,557,032/);
  assert.equal(text.split('\n').length, s.rows.length + 8);
});
