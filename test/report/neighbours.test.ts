// Cosine nearest neighbours in chunks: the order on hand-made features, agreement with a brute-force reference across
// chunk boundaries, raw uint8 pixels as features, no leaked tensors, clear errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../src/report/embedding_map.js';
import { nearestNeighbours, pixelFeatures } from '../../src/report/neighbours.js';
import { liveTensors } from '../../src/tensor/index.js';

/** Unit vectors in the plane at the given angles (degrees), scaled by `scale`. */
const atAngles = (degrees: number[], scale = 1) => ({ data: Float32Array.from(degrees.flatMap((d) => [scale * Math.cos((d * Math.PI) / 180), scale * Math.sin((d * Math.PI) / 180)])), dim: 2 });

test('neighbours come nearest first by angle, whatever the vector lengths', () => {
  const gallery = atAngles([0, 10, 20, 30, 90, 180, -15]);
  gallery.data[2] *= 7; // row 1 (10 degrees) is long: cosine ignores length
  gallery.data[3] *= 7;
  const nn = nearestNeighbours(atAngles([12, 170], 3), gallery, 4, { galleryChunk: 3 });
  assert.deepEqual(Array.from(nn.indices.subarray(0, 4)), [1, 2, 0, 3]); // 2, 8, 12, 18 degrees away
  assert.deepEqual(Array.from(nn.indices.subarray(4, 8)), [5, 4, 3, 2]); // 10, 80, 140, 150 degrees away
  const expected = [2, 8, 12, 18].map((d) => Math.cos((d * Math.PI) / 180));
  expected.forEach((c, j) => assert.ok(Math.abs(nn.similarities[j] - c) < 1e-6, `similarity ${j}: ${nn.similarities[j]} vs ${c}`));
});

test('chunked search equals a brute-force reference, and leaves no tensor alive', () => {
  const random = seededRandom(3);
  const rows = (n: number, dim: number) => ({ data: Float32Array.from({ length: n * dim }, () => random() - 0.5), dim });
  const [query, gallery, k] = [rows(23, 8), rows(101, 8), 6];
  const before = liveTensors();
  const nn = nearestNeighbours(query, gallery, k, { galleryChunk: 10, queryChunk: 7 });
  assert.equal(liveTensors(), before);
  const unit = (f: { data: Float32Array; dim: number }, i: number) => {
    const v = Array.from(f.data.subarray(i * f.dim, (i + 1) * f.dim));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  for (let q = 0; q < 23; q++) {
    const a = unit(query, q);
    const sims = Array.from({ length: 101 }, (_, g) => ({ g, s: unit(gallery, g).reduce((acc, x, d) => acc + x * a[d], 0) }));
    sims.sort((x, y) => y.s - x.s);
    assert.deepEqual(Array.from(nn.indices.subarray(q * k, (q + 1) * k)), sims.slice(0, k).map((x) => x.g), `query ${q}`);
    sims.slice(0, k).forEach((x, j) => assert.ok(Math.abs(nn.similarities[q * k + j] - x.s) < 1e-5));
  }
});

test('raw uint8 pixels are features; an image is its own nearest neighbour', () => {
  const images = Uint8Array.from([255, 0, 0, 0, /**/ 0, 255, 0, 0, /**/ 200, 30, 0, 0, /**/ 0, 40, 9, 9]);
  const set = { images, height: 2, width: 2, channels: 1 };
  const f = pixelFeatures(set);
  assert.equal(f.dim, 4);
  assert.equal(f.data, images); // no copy
  const nn = nearestNeighbours(f, f, 2);
  assert.deepEqual(Array.from(nn.indices), [0, 2, 1, 3, 2, 0, 3, 1]);
  assert.ok(Math.abs(nn.similarities[0] - 1) < 1e-6);
});

test('bad shapes are named', () => {
  const f = atAngles([0, 1, 2]);
  assert.throws(() => nearestNeighbours(f, { data: new Float32Array(9), dim: 3 }, 1), /query rows have 2 values but gallery rows 3/);
  assert.throws(() => nearestNeighbours(f, f, 4), /k must be an integer in \[1, 3\]/);
  assert.throws(() => nearestNeighbours({ data: new Float32Array(5), dim: 2 }, f, 1), /query: 5 values is not a whole number of rows of 2/);
});
