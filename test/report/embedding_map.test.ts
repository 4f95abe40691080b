// The embedding map: the seeded subsample, the same picture for the same seed (coordinates and PNG bytes), clusters
// that stay apart in 2-D, the PNG's size decoded with sharp, the caption saying how many points were drawn.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { seededRandom, subsample, writeEmbeddingMap } from '../../src/report/embedding_map.js';
import { liveTensors } from '../../src/tensor/index.js';
import { CLASS_NAMES, clusteredFeatures } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'embedding-map-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('seeded generator and subsample: reproducible, distinct, ascending', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const draws = Array.from({ length: 5 }, () => a());
  assert.deepEqual(draws, Array.from({ length: 5 }, () => b()));
  assert.ok(draws.every((v) => v >= 0 && v < 1));
  const s = subsample(100, 30, seededRandom(1));
  assert.equal(new Set(s).size, 30);
  assert.deepEqual(s, [...s].sort((x, y) => x - y));
  assert.deepEqual(s, subsample(100, 30, seededRandom(1)));
  assert.notDeepEqual(s, subsample(100, 30, seededRandom(2)));
  assert.deepEqual(subsample(5, 30, seededRandom(1)), [0, 1, 2, 3, 4]);
});

test('the same seed gives the same map; classes stay apart; the caption names the subsample', async () => {
  const labels = Int32Array.from({ length: 150 }, (_, i) => i % 3);
  const features = clusteredFeatures(labels, { dim: 12, noise: 0.4 });
  const base = { features, labels, classNames: CLASS_NAMES.slice(0, 3), maxPoints: 120, nEpochs: 100 };
  const before = liveTensors();
  const one = await writeEmbeddingMap({ ...base, out: join(dir, 'a.png'), seed: 1 });
  const two = await writeEmbeddingMap({ ...base, out: join(dir, 'b.png'), seed: 1 });
  const other = await writeEmbeddingMap({ ...base, out: join(dir, 'c.png'), seed: 2 });
  assert.equal(liveTensors(), before);
  assert.equal(one.indices.length, 120);
  assert.deepEqual(one.coordinates, two.coordinates);
  assert.ok(readFileSync(one.out).equals(readFileSync(two.out)), 'same seed, same PNG bytes');
  assert.notDeepEqual(one.coordinates, other.coordinates);
  // In 2-D, nearly every point's nearest other point has its class.
  const xy = (i: number) => [one.coordinates[2 * i], one.coordinates[2 * i + 1]];
  let agree = 0;
  for (let i = 0; i < 120; i++) {
    let best = -1;
    for (let j = 0, d = Infinity; j < 120; j++) {
      const dj = j === i ? Infinity : Math.hypot(xy(i)[0] - xy(j)[0], xy(i)[1] - xy(j)[1]);
      if (dj < d) [d, best] = [dj, j];
    }
    agree += Number(labels[one.indices[i]] === labels[one.indices[best]]);
  }
  assert.ok(agree >= 114, `${agree}/120 nearest points share a class`);
  const meta = await sharp(one.out).metadata();
  assert.deepEqual([meta.width, meta.height], [one.width, one.height]);
  assert.ok(one.width > 960 && one.height > 960, `${one.width}x${one.height}: a 480-pixel plot at 2x plus the legend`);
  assert.match(one.caption, /random subsample of 120 of the 150 test images \(seed 1\)/);
});

test('mismatched labels are named', async () => {
  await assert.rejects(writeEmbeddingMap({ features: { data: new Float32Array(40), dim: 4 }, labels: [0, 1], classNames: ['a', 'b'], out: join(dir, 'x.png') }), /10 feature rows but 2 labels/);
});
