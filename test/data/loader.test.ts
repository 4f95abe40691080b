// The loader: per-epoch shuffles from the seed, drop-last, two views, labels matching indices, exact resume,
// data-wait timing, no leaked tensors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveTensors, tidy } from '../../src/tensor/index.js';
import { DataLoader, InMemoryDataset, simclrAugment, type Batch } from '../../src/data/index.js';

/** 50 images of 8x8x3; every pixel of image i is i, the label is i % 5. */
function dataset(): InMemoryDataset {
  const n = 50;
  const images = new Uint8Array(n * 8 * 8 * 3);
  for (let i = 0; i < n; i++) images.fill(i, i * 192, (i + 1) * 192);
  return new InMemoryDataset({ name: 'toy', images, height: 8, width: 8, channels: 3, labels: Int32Array.from({ length: n }, (_, i) => i % 5), classNames: ['0', '1', '2', '3', '4'] });
}

function summary(b: Batch) {
  return tidy(() => ({
    indices: [...b.indices],
    labels: b.labels!.toFlatArray(),
    first: b.x ? b.x.toFlatArray() : b.views![0].toFlatArray(),
    second: b.views ? b.views[1].toFlatArray() : null,
  }));
}

describe('DataLoader', () => {
  it('visits every image once per epoch, in an order that changes with the epoch and repeats with the seed', () => {
    const ds = dataset();
    const a = new DataLoader(ds, { batchSize: 8, seed: 1 });
    assert.equal(a.batchesPerEpoch, 7); // 50 / 8, last batch of 2 kept
    const epochs = [0, 1].map(() => tidy(() => [...a.epoch()].flatMap((b) => [...b.indices])));
    for (const e of epochs) assert.deepEqual([...e].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(epochs[0], epochs[1]);
    assert.deepEqual([...new DataLoader(ds, { batchSize: 8, seed: 1 }).epochOrder(1)], epochs[1]);
    assert.notDeepEqual([...new DataLoader(ds, { batchSize: 8, seed: 2 }).epochOrder(1)], epochs[1]);
    assert.deepEqual([...new DataLoader(ds, { batchSize: 8, seed: 1, shuffle: false }).epochOrder(3)], Array.from({ length: 50 }, (_, i) => i));
  });

  it('yields images and labels for the batch indices (uint8 -> [0, 1] by default)', () => {
    const loader = new DataLoader(dataset(), { batchSize: 4, seed: 0 });
    const s = summary(loader.next());
    assert.deepEqual(s.labels, s.indices.map((i) => i % 5));
    assert.equal(s.first.length, 4 * 3 * 8 * 8);
    assert.ok(Math.abs(s.first[192 * 2] - s.indices[2] / 255) < 1e-7);
  });

  it('two views with drop-last: fixed batch size, views differ, labels shared', () => {
    const loader = new DataLoader(dataset(), { batchSize: 16, seed: 3, views: 2, transform: (x, g) => simclrAugment(x, {}, g) });
    assert.equal(loader.dropLast, true);
    assert.equal(loader.batchesPerEpoch, 3);
    const before = liveTensors();
    tidy(() => {
      for (const b of loader.epoch()) {
        assert.deepEqual(b.views![0].shape, [16, 3, 8, 8]);
        assert.equal(b.indices.length, 16);
      }
    });
    assert.equal(liveTensors(), before);
    const s = summary(loader.next());
    assert.notDeepEqual(s.first, s.second);
    assert.throws(() => new DataLoader(dataset(), { batchSize: 64, seed: 0, views: 2 }), /no batch of 64/);
  });

  it('resumes exactly from a saved state, across an epoch boundary', () => {
    const make = () => new DataLoader(dataset(), { batchSize: 16, seed: 5, views: 2, transform: (x, g) => simclrAugment(x, {}, g) });
    const a = make();
    const all = Array.from({ length: 6 }, () => summary(a.next()));
    const b = make();
    for (let k = 0; k < 2; k++) tidy(() => b.next());
    const saved = b.state();
    assert.deepEqual(saved, { epoch: 0, position: 2 });
    const c = make();
    c.setState(JSON.parse(JSON.stringify(saved)));
    const rest = Array.from({ length: 4 }, () => summary(c.next()));
    assert.deepEqual(rest, all.slice(2));
    assert.deepEqual(c.state(), { epoch: 1, position: 3 });
    assert.throws(() => c.setState({ epoch: -1, position: 0 }), /bad state/);
  });

  it('reports the time each batch waited for data and restricts to given indices', () => {
    const loader = new DataLoader(dataset(), { batchSize: 3, seed: 0, indices: [1, 2, 3, 4, 5, 6, 7] });
    const batches = tidy(() => [...loader.epoch()].map((b) => ({ waitMs: b.waitMs, indices: [...b.indices] })));
    assert.equal(batches.length, 3);
    assert.deepEqual(batches.flatMap((b) => b.indices).sort(), [1, 2, 3, 4, 5, 6, 7]);
    const stats = loader.waitStats();
    assert.equal(stats.batches, 3);
    assert.ok(batches.every((b) => b.waitMs > 0) && Math.abs(stats.totalMs - batches.reduce((s, b) => s + b.waitMs, 0)) < 1e-9);
    assert.throws(() => new DataLoader(dataset(), { batchSize: 3, seed: 0, indices: [60] }), /index 60 out of range/);
  });
});
