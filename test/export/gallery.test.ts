// The encoder export's nearest-neighbour gallery (src/export/gallery.ts, `simclr export --gallery`): the deterministic
// class-balanced choice, normalised features and PNG thumbnails, and bad sizes or flags refused with clear messages.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { InMemoryDataset } from '../../src/data/dataset.js';
import { buildGallery, chooseGallery, galleryFeatures, MAX_GALLERY_SIZE } from '../../src/export/index.js';
import { liveTensors, tensor } from '../../src/tensor/index.js';
import { tempDir, writePretrainCheckpoint } from '../pipeline/helpers.js';
import { runCli } from '../reliability/run_cli.js';

const { dir, cleanup } = tempDir('simclr-gallery-');
after(cleanup);
const labels = Int32Array.from([2, 0, 0, 1, 2, 0, 1, 2, 2, 0]);
const data = new InMemoryDataset({
  name: 'toy', images: Uint8Array.from({ length: 10 * 4 * 3 * 3 }, (_, i) => (i * 37) % 256), height: 4, width: 3, channels: 3, labels, classNames: ['a', 'b', 'c'],
});

test('chooseGallery takes floor(n/K) per class (+1 for the first n mod K classes), first in index order', () => {
  assert.deepEqual(Array.from(chooseGallery(data, 3)), [0, 1, 3]);
  assert.deepEqual(Array.from(chooseGallery(data, 5)), [0, 1, 2, 3, 6]); // a, b: 2 each; c: 1 (image 4 is not needed)
  assert.deepEqual(Array.from(chooseGallery(data, 6)), [0, 1, 2, 3, 4, 6]);
  assert.throws(() => chooseGallery(data, 2), /--gallery 2: toy has 3 classes, so a class-balanced gallery needs at least 3 images/);
  assert.throws(() => chooseGallery(data, 9), /--gallery 9: toy has only 2 images of class 'b', 3 needed/);
  assert.throws(() => chooseGallery(data, 0), /--gallery 0: expected a number of gallery images from 1 to/);
  assert.throws(() => chooseGallery(data, 2.5), /--gallery 2.5/);
  assert.throws(() => chooseGallery(data, MAX_GALLERY_SIZE + 1), new RegExp(`--gallery ${MAX_GALLERY_SIZE + 1}`));
  const unlabelled = new InMemoryDataset({ name: 'plain', images: data.images, height: 4, width: 3, channels: 3 });
  assert.throws(() => chooseGallery(unlabelled, 3), /plain: a gallery needs labelled training images/);
});

test('buildGallery normalises the features, keeps labels and PNGs of the images, and leaves no tensor', async () => {
  const before = liveTensors();
  const indices = chooseGallery(data, 3);
  const raw = tensor([[3, 4], [0, -2], [1, 1]], [3, 2]); // (3, 2)
  const g = await buildGallery(data, indices, raw, { onnx: join(dir, 'm.onnx'), projectionLayer: 0, dim: 2 });
  raw.dispose();
  assert.equal(liveTensors(), before);
  assert.equal(g.onnx, 'm.onnx');
  assert.deepEqual(g.items.map((i) => [i.index, i.label]), [[0, 2], [1, 0], [3, 1]]);
  const f = galleryFeatures(g);
  [[0.6, 0.8], [0, -1], [Math.SQRT1_2, Math.SQRT1_2]].forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(f[r][c] - v) < 1e-7)));
  const png = Buffer.from(g.items[2].image.replace(/^data:image\/png;base64,/, ''), 'base64');
  const { data: pixels, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [3, 4, 3]);
  assert.deepEqual(Array.from(pixels), Array.from(data.images.subarray(3 * 36, 4 * 36)));
  const wrong = tensor([[1, 2, 3]], [1, 3]);
  await assert.rejects(buildGallery(data, chooseGallery(data, 3), wrong, { onnx: 'm.onnx', projectionLayer: 0 }), /features of shape \[1,3\] for 3 images/);
  wrong.dispose();
});

test('simclr export refuses bad --gallery values and flags before writing anything', { timeout: 120_000 }, async () => {
  writePretrainCheckpoint(join(dir, 'pretrain'));
  const out = join(dir, 'web', 'model.onnx');
  const cases: Array<[string[], RegExp]> = [
    [['--gallery', '0'], /--gallery 0: expected a number of gallery images from 1 to 5000/],
    [['--gallery', 'many'], /--gallery NaN: expected a number/],
    [['--gallery', '--what', 'classifier'], /--gallery applies to --what encoder/],
    [['--gallery-data', 'fashion-mnist'], /--gallery-data needs --gallery/],
    [['--gallery', '10'], /--gallery: no run config with a data string at .*config\.json: name the training images with --gallery-data/],
  ];
  for (const [flags, message] of cases) {
    const r = await runCli(['export', join(dir, 'pretrain'), '--onnx', out, ...flags], { timeoutMs: 60_000 });
    assert.notEqual(r.code, 0, flags.join(' '));
    assert.match(r.stderr, message);
  }
  assert.equal(existsSync(`${out}.gallery.json`), false);
});
