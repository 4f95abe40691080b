// ONNX export: the written file's structure (opset, IR version, dynamic batch, metadata), and bad input refused with a
// message naming what is at fault (graph kind, feature, missing or misshapen weight, class names, output path), with
// an existing output file left whole.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET, saveOnnx, type OnnxWhat } from '../../src/export/index.js';
import { buildModel } from '../../src/models/index.js';
import { liveTensors, manualSeed, zeros } from '../../src/tensor/index.js';
import { tempDir } from '../pipeline/helpers.js';
import { decodeModel } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-onnx-');
after(cleanup);
manualSeed(3);
const description = { depth: 18, widthMultiplier: 0.125, inChannels: 1, imageSize: 12, stem: 'cifar', numClasses: 3, ftProjSelector: 1 } as const;
const model = buildModel(description).eval();
const encoderOnly = buildModel({ ...description, numClasses: 0 }).eval();
after(() => {
  model.dispose();
  encoderOnly.dispose();
});

test('saveOnnx writes opset 17, IR 8, a dynamic batch, the class names and the description; no tensor is left', () => {
  const before = liveTensors();
  const path = join(dir, 'nested', 'classifier.onnx');
  const r = saveOnnx(path, model, { what: 'classifier', classNames: ['a', 'b', 'c'], source: 'test model', metadata: { 'simclr.checkpoint_kind': 'finetune' } });
  assert.equal(liveTensors(), before);
  const proto = decodeModel(readFileSync(path));
  assert.equal(proto.irVersion, BigInt(ONNX_IR_VERSION));
  assert.deepEqual(proto.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', ONNX_OPSET]]);
  const graph = proto.graph!;
  assert.deepEqual(graph.input.map((v) => v.name), ['image']);
  assert.deepEqual(graph.output.map((v) => v.name), ['probabilities']);
  const dims = (v: (typeof graph.input)[number]) => {
    const t = v.type!.value;
    assert.equal(t.case, 'tensorType');
    return t.value!.shape!.dim.map((d) => (d.value.case === 'dimParam' ? d.value.value : Number(d.value.value)));
  };
  assert.deepEqual(dims(graph.input[0]), ['batch', 1, 12, 12]);
  assert.deepEqual(dims(graph.output[0]), ['batch', 3]);
  assert.equal(r.info.output.name, 'probabilities');
  assert.deepEqual(r.info.output.shape, ['batch', 3]);
  // The sidecar: the same facts as JSON, for a web page (onnxruntime-web does not expose metadata_props).
  const info = JSON.parse(readFileSync(`${path}.json`, 'utf8'));
  assert.equal(r.infoPath, `${path}.json`);
  assert.deepEqual(info, { ...JSON.parse(JSON.stringify(r.info)), onnx: 'classifier.onnx' });
  assert.deepEqual([info.format, info.what, info.projectionLayer, info.classNames], ['simclr-ts-onnx/1', 'classifier', 1, ['a', 'b', 'c']]);
  assert.deepEqual(info.input.shape, ['batch', 1, 12, 12]);
  const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
  assert.deepEqual(JSON.parse(meta['simclr.class_names']), ['a', 'b', 'c']);
  assert.equal(JSON.parse(meta['simclr.model']).depth, 18);
  assert.equal(meta['simclr.what'], 'classifier');
  assert.equal(meta['simclr.checkpoint_kind'], 'finetune');
  assert.match(meta['simclr.input'], /float32 \(batch, 1, 12, 12\).*\[0, 1\]/);
  assert.equal(meta['simclr.projection_layer'], '1');
  // The classifier needs projection layer 1 only: layers 2 and 3 are not in the file.
  assert.ok(graph.initializer.some((t) => t.name === 'projection_head.0.linear.weight'));
  assert.ok(!graph.initializer.some((t) => t.name.startsWith('projection_head.1.')));
  assert.deepEqual(readdirSync(join(dir, 'nested')).sort(), ['classifier.onnx', 'classifier.onnx.json'], 'no temp file left');
});

test('bad options are refused with a message naming the option', () => {
  assert.throws(() => exportOnnx(model, { what: 'decoder' as OnnxWhat }), /what must be 'encoder' or 'classifier', got 'decoder'/);
  assert.throws(() => exportOnnx(encoderOnly, { what: 'classifier', source: 'checkpoint x.json' }), /checkpoint x\.json has no classifier head \(numClasses 0\): export it as an encoder/);
  assert.throws(() => exportOnnx(model, { what: 'encoder', feature: 4 }), /feature 4: this model has projection layers 0\.\.3/);
  assert.throws(() => exportOnnx(model, { what: 'encoder', feature: 1.5 }), /feature 1\.5/);
  assert.throws(() => exportOnnx(model, { what: 'classifier', feature: 'h' }), /'feature' applies to an encoder export/);
  assert.throws(() => exportOnnx(model, { what: 'classifier', classNames: ['a', 'b'] }), /2 class names for a classifier of 3 classes/);
});

test('weights that do not fit the description are refused, naming the weight', () => {
  const weights = new Map(model.stateDict());
  weights.delete('encoder.layer2.0.conv1.weight');
  assert.throws(() => exportOnnx({ description, weights }, { what: 'encoder', source: 'checkpoint y.json' }), /checkpoint y\.json: no weight 'encoder\.layer2\.0\.conv1\.weight'/);
  const wrong = zeros([3, 3]);
  try {
    weights.set('encoder.layer2.0.conv1.weight', wrong);
    assert.throws(() => exportOnnx({ description, weights }, { what: 'encoder' }), /weight 'encoder\.layer2\.0\.conv1\.weight' has shape \[3,3\] but the model description needs \[16,8,3,3\]/);
    weights.delete('encoder.layer2.0.conv1.weight');
    const noStats = new Map(model.stateDict());
    noStats.delete('encoder.bn1.running_var');
    assert.throws(() => exportOnnx({ description, weights: noStats }, { what: 'encoder' }), /no weight 'encoder\.bn1\.running_var'/);
  } finally {
    wrong.dispose();
  }
  assert.throws(() => exportOnnx({ description: { ...description, depth: 19 }, weights }, { what: 'encoder' }), /invalid model description: depth/);
});

test('a bad output path is refused before any work, and a failed export keeps the existing file whole', () => {
  assert.throws(() => saveOnnx(join(dir, 'model.txt'), model, { what: 'encoder' }), /output .*model\.txt: name the file \.onnx/);
  mkdirSync(join(dir, 'folder.onnx'));
  assert.throws(() => saveOnnx(join(dir, 'folder.onnx'), model, { what: 'encoder' }), /folder\.onnx is a folder: give a file name/);
  writeFileSync(join(dir, 'file'), 'x');
  assert.throws(() => saveOnnx(join(dir, 'file', 'm.onnx'), model, { what: 'encoder' }), /is a file, not a folder/);
  const existing = join(dir, 'existing.onnx');
  writeFileSync(existing, 'previous export');
  assert.throws(() => saveOnnx(existing, encoderOnly, { what: 'classifier' }), /no classifier head/);
  assert.equal(readFileSync(existing, 'utf8'), 'previous export');
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp') || f === 'existing.onnx.json'), 'no temp file, no info file');
});
