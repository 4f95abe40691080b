// The retrieval grid: neighbours and their right/wrong marks on hand-made features where the answer is known, the PNG's
// size, frame colours and enlarged query pixels decoded with sharp, raw-pixel features for contrast, RGB images.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { pixelFeatures } from '../../src/report/neighbours.js';
import { firstPerClass, writeRetrievalGrid } from '../../src/report/retrieval_grid.js';
import { CLASS_NAMES, syntheticImages } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'retrieval-grid-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Gallery row g of class c: e_c + 0.01 g e_(c+1); row 11 (class 2) is an impostor next to class 0. */
function galleryFeatures(labels: Int32Array): { data: Float32Array; dim: number } {
  const data = new Float32Array(labels.length * 3);
  labels.forEach((c, g) => {
    data[g * 3 + c] = 1;
    data[g * 3 + ((c + 1) % 3)] = 0.01 * g;
  });
  data.set([1, 0, 0.005], 11 * 3);
  return { data, dim: 3 };
}

const pixel = async (file: string) => {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { info, at: (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)) };
};

test('first images of each class, class by class', () => {
  assert.deepEqual(firstPerClass([2, 0, 0, 1, 2, 0, 7], 3, 2), [1, 2, 3, 0, 4]);
});

test('neighbours in known order with right/wrong marks; frames and query pixels in the PNG', async () => {
  const gallery = syntheticImages(12, { size: 8, classes: 3, seed: 1 });
  const queries = syntheticImages(6, { size: 8, classes: 3, seed: 2 });
  const queryFeatures = { data: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]), dim: 3 };
  const out = join(dir, 'features.png');
  const r = await writeRetrievalGrid({
    queries, queryFeatures, gallery, galleryFeatures: galleryFeatures(gallery.labels as Int32Array), classNames: CLASS_NAMES.slice(0, 3),
    out, k: 5, perClass: 1, minCell: 16, title: 'Hand-made features',
  });
  assert.deepEqual(r.rows.map((row) => row.query), [0, 1, 2]);
  assert.deepEqual(r.rows.map((row) => row.neighbours), [[0, 11, 3, 6, 9], [1, 4, 7, 10, 9], [2, 5, 8, 10, 7]]);
  assert.deepEqual(r.rows.map((row) => row.correct), [[true, false, true, true, true], [true, true, true, true, false], [true, true, true, false, false]]);
  assert.ok(Math.abs(r.precision - 11 / 15) < 1e-12);
  assert.match(r.caption, /73\.3% of the 15 neighbours shown share their query's class/);
  // 8x8 images at scale 2 with a 3-pixel frame: 22-pixel tiles; label column 150, query gap 14, title 44, gaps 4.
  const png = await pixel(out);
  assert.deepEqual([png.info.width, png.info.height, r.width, r.height], [316, 122, 316, 122]);
  const frame = (row: number, j: number) => png.at(186 + j * 26 + 1, 44 + row * 26 + 1);
  assert.deepEqual(frame(0, 0), [44, 160, 44]);
  assert.deepEqual(frame(0, 1), [214, 39, 40]);
  assert.deepEqual(frame(2, 4), [214, 39, 40]);
  assert.deepEqual(png.at(150 + 1, 44 + 1), [31, 119, 180]);
  for (const [x, y] of [[0, 0], [4, 1], [7, 7], [2, 5]]) {
    const v = queries.images[y * 8 + x]; // query 0, grey
    assert.deepEqual(png.at(150 + 3 + 2 * x + 1, 44 + 3 + 2 * y), [v, v, v], `query pixel (${x}, ${y})`);
  }
});

test('raw pixels for contrast, and RGB images', async () => {
  const gallery = syntheticImages(40, { size: 10, channels: 3, seed: 3 });
  const queries = syntheticImages(8, { size: 10, channels: 3, seed: 4 });
  const out = join(dir, 'pixels.png');
  const r = await writeRetrievalGrid({
    queries, queryFeatures: pixelFeatures(queries), gallery, galleryFeatures: pixelFeatures(gallery), classNames: CLASS_NAMES, out, perClass: 2, title: 'Raw pixels',
  });
  assert.equal(r.rows.length, 8);
  assert.ok(r.rows.every((row) => row.neighbours.length === 8 && row.similarities[0] >= row.similarities[7]));
  assert.equal(r.precision, 1); // the class patterns dominate the noise
  const png = await pixel(out);
  assert.deepEqual([png.info.width, png.info.height], [r.width, r.height]);
  const q = r.rows[0].query; // scale 7 for 10x10 images and minCell 64
  const i = ((q * 10 + 5) * 10 + 5) * 3;
  assert.deepEqual(png.at(150 + 3 + 7 * 5 + 3, 44 + 3 + 7 * 5 + 3), Array.from(queries.images.subarray(i, i + 3)));
});

test('mismatched inputs are named', async () => {
  const set = syntheticImages(4, { size: 8 });
  const f = pixelFeatures(set);
  const base = { queries: set, queryFeatures: f, gallery: set, galleryFeatures: f, classNames: CLASS_NAMES, out: join(dir, 'x.png') };
  await assert.rejects(writeRetrievalGrid({ ...base, galleryFeatures: { data: new Float32Array(3 * 64), dim: 64 } }), /4 gallery images but 3 feature rows/);
  await assert.rejects(writeRetrievalGrid({ ...base, queries: { ...set, labels: [0, 1] } }), /4 query images but 2 labels/);
});
