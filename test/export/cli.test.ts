// `simclr export --onnx`: from tiny run folders (a pretraining and a fine-tuning checkpoint) the default graph follows
// the checkpoint kind and onnxruntime-node reproduces `predict` / `embed`; bad flags and paths fail with one line
// naming the flag or file, leaving an existing output whole.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FASHION_MNIST_CLASSES } from '../../src/data/index.js';
import { loadModel } from '../../src/pipeline/index.js';
import { manualSeed } from '../../src/tensor/index.js';
import { tempDir, writeFinetuneCheckpoint, writePretrainCheckpoint } from '../pipeline/helpers.js';
import { runCli, runCliAll } from '../reliability/run_cli.js';
import { decodeModel, maxAbsDiff, runOnnx, testImages } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-export-cli-');
after(cleanup);
const pretrainDir = join(dir, 'pretrain');
const finetuneDir = join(dir, 'finetune');
const pretrained = writePretrainCheckpoint(pretrainDir);
writeFinetuneCheckpoint(finetuneDir, pretrained);
manualSeed(5);
const images = testImages(6, 1, 28); // (6, 1, 28, 28) in [0, 1]
after(() => images.dispose());
const TIMEOUT = { timeoutMs: 120_000 };

test('export of a fine-tuned run folder: a classifier by default, equal to predict within 1e-4, class names kept', async (t) => {
  const out = join(dir, 'onnx', 'classifier.onnx');
  const r = await runCli(['export', finetuneDir, '--onnx', out], TIMEOUT);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.what, 'classifier');
  assert.deepEqual(summary.output, { name: 'probabilities', shape: ['batch', 10] });
  const bytes = readFileSync(out);
  const meta = Object.fromEntries(decodeModel(bytes).metadataProps.map((p) => [p.key, p.value]));
  assert.deepEqual(JSON.parse(meta['simclr.class_names']), FASHION_MNIST_CLASSES);
  assert.equal(meta['simclr.checkpoint_kind'], 'finetune');
  assert.equal(summary.info, `${out}.json`);
  assert.deepEqual(JSON.parse(readFileSync(`${out}.json`, 'utf8')).classNames, FASHION_MNIST_CLASSES);
  const m = await loadModel(finetuneDir);
  try {
    const p = await m.predict(images);
    const [actual, dims] = await runOnnx(bytes, images, 'probabilities');
    assert.deepEqual(dims, [6, 10]);
    const diff = maxAbsDiff(actual, p.probabilities.toFlatArray());
    p.probabilities.dispose();
    t.diagnostic(`max |onnx - predict| ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-4, `max |onnx - predict| ${diff.toExponential(3)}`);
  } finally {
    m.dispose();
  }
});

test('export of a pretraining run folder: the encoder by default, --feature 1 equal to embed within 1e-4', async (t) => {
  const out = join(dir, 'encoder.onnx');
  const r = await runCli(['export', pretrainDir, '--onnx', out, '--feature', '1'], TIMEOUT);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).what, 'encoder');
  const m = await loadModel(pretrainDir);
  try {
    const e = await m.embed(images, { feature: 1 });
    const [actual, dims] = await runOnnx(readFileSync(out), images, 'features');
    assert.deepEqual(dims, e.features.shape);
    const diff = maxAbsDiff(actual, e.features.toFlatArray());
    e.features.dispose();
    t.diagnostic(`max |onnx - embed| ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-4, `max |onnx - embed| ${diff.toExponential(3)}`);
  } finally {
    m.dispose();
  }
});

test('bad input: one line naming the checkpoint, flag or file; an existing output is left whole', async () => {
  const existing = join(dir, 'existing.onnx');
  writeFileSync(existing, 'previous export');
  const [missing, extension, what, featureOnClassifier, feature] = await runCliAll([
    ['export', join(dir, 'no-such-run'), '--onnx', join(dir, 'a.onnx')],
    ['export', finetuneDir, '--onnx', join(dir, 'model.pb')],
    ['export', finetuneDir, '--onnx', join(dir, 'b.onnx'), '--what', 'decoder'],
    ['export', finetuneDir, '--onnx', join(dir, 'c.onnx'), '--what', 'classifier', '--feature', 'h'],
    ['export', pretrainDir, '--onnx', existing, '--feature', '7'],
  ], 2, TIMEOUT);
  const failed = (res: typeof missing, pattern: RegExp) => {
    assert.equal(res.code, 1, `${res.args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, pattern);
    assert.ok(!/\n\s+at /.test(res.stderr), 'no stack trace');
  };
  failed(missing, /checkpoint not found: .*no-such-run/);
  failed(extension, /output .*model\.pb: name the file \.onnx/);
  failed(what, /option '--what <graph>' argument 'decoder' is invalid.*encoder, classifier/);
  failed(featureOnClassifier, /--feature applies to --what encoder/);
  failed(feature, /feature 7: this model has projection layers 0\.\.3/);
  assert.equal(readFileSync(existing, 'utf8'), 'previous export');
  for (const name of ['a.onnx', 'b.onnx', 'c.onnx']) assert.ok(!existsSync(join(dir, name)), `${name} not written`);
});
