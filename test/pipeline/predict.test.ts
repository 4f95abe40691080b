// Inference: embed/predict shapes for tensors, datasets and image folders (same images, same outputs), the .npy bytes
// (header and little-endian float32 data) and JSON lines, and the error messages.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { subsetDataset } from '../../src/data/dataset.js';
import { fashionMnist } from '../../src/data/idx.js';
import { buildModel } from '../../src/models/simclr_model.js';
import { saveCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { checkOutputPath, npyBytes, writeJsonLines } from '../../src/pipeline/run/outputs.js';
import { embed, loadModel, writeEmbeddings, writePredictions } from '../../src/pipeline/stages/predict.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { dispose, liveTensors, tensor, tidy } from '../../src/tensor/index.js';
import { maxAbsDiff, readJson, tempDir, writeFinetuneCheckpoint, writePretrainCheckpoint } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-predict-');
after(cleanup);
const pretrained = writePretrainCheckpoint(join(dir, 'pretrain'));
const classifier = writeFinetuneCheckpoint(join(dir, 'finetune'), pretrained);
const test_ = await fashionMnist({ split: 'test' });
const six = subsetDataset(test_, [0, 1, 2, 3, 4, 5]);

/** Parses a float32 .npy file: [header text, shape, values]. */
function parseNpy(bytes: Buffer): [string, number[], Float32Array] {
  assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  assert.deepEqual([bytes[6], bytes[7]], [1, 0]);
  const headerLength = bytes.readUInt16LE(8);
  assert.equal((10 + headerLength) % 64, 0, 'data starts on a 64-byte boundary');
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  assert.ok(header.endsWith('\n'));
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const data = bytes.subarray(10 + headerLength);
  const values = new Float32Array(data.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = data.readFloatLE(4 * i);
  return [header, shape, values];
}

test('embed and predict: shapes, probabilities summing to 1, the same outputs for uint8, float and dataset inputs', async () => {
  const before = liveTensors();
  const m = await loadModel(join(dir, 'finetune'));
  const images = tidy(() => six.getBatch([0, 1, 2, 3, 4, 5])); // (6, 1, 28, 28) uint8
  const asFloat = tidy(() => images.float().div(255)); // (6, 1, 28, 28)
  try {
    assert.deepEqual(m.classNames?.length, 10);
    const h = await m.embed(images);
    const z = await m.embed(images, { feature: 'z' });
    const p1 = await m.embed(images, { feature: 1 });
    assert.deepEqual(h.features.shape, [6, 64]); // ResNet-18 x0.125: 512 / 8
    assert.deepEqual(z.features.shape, [6, 64]); // cut at layer 1: z is layer 1's output
    assert.deepEqual(p1.features.shape, [6, 64]);
    const a = await m.predict(images, { batchSize: 4 });
    const b = await m.predict(asFloat);
    const c = await m.predict(six);
    assert.deepEqual(a.probabilities.shape, [6, 10]);
    for (const s of tidy(() => a.probabilities.sum(1).toFlatArray())) assert.ok(Math.abs(s - 1) < 1e-5);
    assert.ok(maxAbsDiff(a.probabilities.toFlatArray(), b.probabilities.toFlatArray()) < 1e-6);
    assert.ok(maxAbsDiff(a.probabilities.toFlatArray(), c.probabilities.toFlatArray()) < 1e-6);
    assert.ok(a.probabilities.toFlatArray().some((v) => Math.abs(v - 0.1) > 1e-3), 'predictions are not uniform');
    dispose([h, z, p1, a, b, c]);
    await assert.rejects(m.embed(images, { feature: 5 }), /feature 5: this model has projections 0\.\.1/);
  } finally {
    m.dispose();
    dispose([images, asFloat]);
  }
  assert.equal(liveTensors(), before);
});

test('a folder of image files gives the same outputs as the same images as a tensor, with the file names', async () => {
  const root = join(dir, 'images');
  mkdirSync(join(root, 'nested'), { recursive: true });
  for (let i = 0; i < 6; i++) {
    const pixels = Buffer.from(test_.images.subarray(i * 784, (i + 1) * 784));
    await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(root, i < 3 ? '' : 'nested', `img${i}.png`));
  }
  const fromFolder = await embed(classifier, root);
  const fromTensor = await embed(classifier, six);
  assert.deepEqual(fromFolder.files!.map((f) => f.slice(root.length + 1)), ['img0.png', 'img1.png', 'img2.png', 'nested/img3.png', 'nested/img4.png', 'nested/img5.png']);
  assert.ok(maxAbsDiff(fromFolder.features.toFlatArray(), fromTensor.features.toFlatArray()) < 1e-5);
  const m = await loadModel(classifier);
  const p = await m.predict(root);
  writePredictions(join(dir, 'p.jsonl'), p);
  writeEmbeddings(join(dir, 'e.npy'), fromFolder);
  writeEmbeddings(join(dir, 'e.jsonl'), fromFolder);
  const rows = readFileSync(join(dir, 'p.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 6);
  const probs = p.probabilities.toArray() as number[][];
  rows.forEach((r, i) => {
    assert.equal(r.index, i);
    assert.equal(r.file, fromFolder.files![i]);
    assert.equal(r.label, probs[i].indexOf(Math.max(...probs[i])));
    assert.equal(r.class, m.classNames![r.label]);
    assert.equal(r.confidence, r.probabilities[r.label]);
  });
  const [, shape, values] = parseNpy(readFileSync(join(dir, 'e.npy')));
  assert.deepEqual(shape, [6, 64]);
  assert.deepEqual(Array.from(values), fromFolder.features.toFlatArray());
  const embeddingRows = readFileSync(join(dir, 'e.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(embeddingRows[4].embedding, (fromFolder.features.toArray() as number[][])[4]);
  dispose([fromFolder, fromTensor, p]);
  m.dispose();
  assert.throws(() => writeEmbeddings(join(dir, 'e.csv'), fromFolder), /e\.csv: unknown format; name it \.npy .* or \.jsonl/);
});

test('npy bytes: numpy header dict, padding to 64 bytes, little-endian float32 values; 1-d shapes keep their comma', () => {
  const [header, shape, values] = parseNpy(npyBytes(Float32Array.from([1.5, -2, 3.25, 0, 1e-7, 65504]), [2, 3]));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} +\n$/);
  assert.deepEqual(shape, [2, 3]);
  assert.deepEqual(Array.from(values), Array.from(Float32Array.from([1.5, -2, 3.25, 0, 1e-7, 65504])));
  const [header1] = parseNpy(npyBytes(Float32Array.from([1, 2, 3]), [3]));
  assert.match(header1, /'shape': \(3,\)/);
  assert.throws(() => npyBytes(new Float32Array(5), [2, 3]), /shape \[2,3\] holds 6 values but 5 were given/);
  writeJsonLines(join(dir, 'empty.jsonl'), []);
  assert.equal(readFileSync(join(dir, 'empty.jsonl'), 'utf8'), '');
});

test('outputs: .npy gets a <out>.json naming rows and classes; a folder or a path under a file is refused by its name', () => {
  const probabilities = tensor([[0.25, 0.75], [0.9, 0.1]]); // (2, 2)
  try {
    const p = { probabilities, files: ['/x/a.png', '/x/b.png'], classNames: ['cat', 'dog'] };
    const out = join(dir, 'new', 'sub', 'p.npy'); // missing folders are created
    writePredictions(out, p);
    assert.deepEqual(readJson(`${out}.json`), { rows: 2, files: p.files, class_names: ['cat', 'dog'] });
    assert.deepEqual(parseNpy(readFileSync(out))[1], [2, 2]);
    writePredictions(join(dir, 'p2.jsonl'), p);
    const rows = readFileSync(join(dir, 'p2.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.label, r.class, r.file]), [[1, 'dog', '/x/a.png'], [0, 'cat', '/x/b.png']]);
    writeEmbeddings(join(dir, 'e2.npy'), { features: probabilities, files: null });
    assert.deepEqual(readJson(join(dir, 'e2.npy.json')), { rows: 2, files: null });
    writeFileSync(join(dir, 'a-file'), 'x');
    assert.throws(() => writePredictions(join(dir, 'a-file', 'p.jsonl'), p), (e: unknown) =>
      e instanceof Error && e.message === `cannot write output ${join(dir, 'a-file', 'p.jsonl')}: ${join(dir, 'a-file')} is a file, not a folder` && !e.message.includes('.tmp'));
    mkdirSync(join(dir, 'folder.jsonl'));
    assert.throws(() => checkOutputPath(join(dir, 'folder.jsonl')), /folder\.jsonl is a folder: give a file name/);
  } finally {
    probabilities.dispose();
  }
});

test('errors: predict without a classifier head, images with the wrong channel count', async () => {
  const encoderOnly = buildModel({ depth: 18, widthMultiplier: 0.0625, inChannels: 1, imageSize: 28 });
  const path = saveCheckpoint(RunFolder.open(join(dir, 'encoder')), { kind: 'pretrain', step: 0, model: encoderOnly, description: encoderOnly.description, extra: {} });
  encoderOnly.dispose();
  const m = await loadModel(path);
  try {
    await assert.rejects(m.predict(six), /has no classifier head \(a pretrain checkpoint\): use embed, or fine-tune it first/);
    const rgb = tidy(() => six.getBatch([0, 1]).expand([2, 3, 28, 28]).contiguous());
    await assert.rejects(m.embed(rgb), /images must be \(N, 1, H, W\) for this checkpoint, got \[2,3,28,28\]/);
    rgb.dispose();
  } finally {
    m.dispose();
  }
});
