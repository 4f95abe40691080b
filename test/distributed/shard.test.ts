// The distributed sampler (DataLoader `shard`): disjoint shards whose union, in rank order, is the single-process
// batch of the shared (seed, epoch) order; per-rank augmentation streams; exact resume; clear errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataLoader, InMemoryDataset } from '../../src/data/index.js';
import { Generator, rand, tidy, type Tensor } from '../../src/tensor/index.js';

/** 40 images of 4x4x1; every pixel of image i is i. */
function dataset(): InMemoryDataset {
  const n = 40;
  const images = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) images.fill(i, i * 16, (i + 1) * 16);
  return new InMemoryDataset({ name: 'toy', images, height: 4, width: 4, channels: 1, labels: Int32Array.from({ length: n }, (_, i) => i % 4), classNames: ['a', 'b', 'c', 'd'] });
}

const loader = (shard?: { rank: number; size: number }, extra = {}) => new DataLoader(dataset(), { batchSize: 8, seed: 9, views: 2, shard, ...extra });

test('each rank gets its slice of every global batch; together they are the single-process batch', () => {
  const single = loader();
  const ranks = [0, 1, 2, 3].map((rank) => loader({ rank, size: 4 }));
  assert.equal(ranks[0].batchesPerEpoch, single.batchesPerEpoch); // batchSize is the global batch
  for (let step = 0; step < 2 * single.batchesPerEpoch + 1; step++) {
    tidy(() => {
      const whole = single.next();
      const parts = ranks.map((l) => l.next());
      assert.deepEqual(parts.flatMap((p) => [...p.indices]), [...whole.indices], `step ${step}`);
      for (const p of parts) {
        assert.equal(p.indices.length, 2);
        assert.equal(p.epoch, whole.epoch);
        assert.equal(p.position, whole.position);
        assert.deepEqual(p.labels!.toFlatArray(), [...p.indices].map((i) => i % 4));
        assert.deepEqual(p.views![0].shape, [2, 1, 4, 4]);
      }
    });
  }
});

test('shards are disjoint within an epoch and reshuffled each epoch with the shared seed', () => {
  const epochIndices = (rank: number, epoch: number) => {
    const l = loader({ rank, size: 2 });
    l.setState({ epoch, position: 0 });
    return tidy(() => [...l.epoch()].flatMap((b) => [...b.indices]));
  };
  for (const epoch of [0, 1]) {
    const [a, b] = [epochIndices(0, epoch), epochIndices(1, epoch)];
    assert.equal(new Set([...a, ...b]).size, a.length + b.length, 'disjoint');
    assert.equal(a.length + b.length, 40);
  }
  assert.notDeepEqual(epochIndices(0, 0), epochIndices(0, 1));
});

test('each rank draws its own augmentations; a single process keeps its stream', () => {
  const randomView = (x: Tensor, g: Generator) => x.float().add(rand([x.shape[0], 1, 1, 1], { generator: g })); // (B, 1, 4, 4)
  const noise = (shard?: { rank: number; size: number }) => tidy(() => {
    const b = loader(shard, { transform: randomView }).next();
    return b.views![0].sub(b.views![0].floor()).toFlatArray().filter((_, i) => i % 16 === 0);
  });
  const [r0, r1] = [noise({ rank: 0, size: 2 }), noise({ rank: 1, size: 2 })];
  assert.notDeepEqual(r0, r1);
  assert.deepEqual(noise({ rank: 0, size: 1 }), noise(), 'a shard of size 1 is the single process');
});

test('resume: a sharded loader continues from a saved state like an uninterrupted one', () => {
  const a = loader({ rank: 1, size: 2 });
  tidy(() => [0, 1, 2, 3, 4, 5, 6].forEach(() => a.next()));
  const b = loader({ rank: 1, size: 2 });
  b.setState(a.state());
  tidy(() => assert.deepEqual([...b.next().indices], [...a.next().indices]));
});

test('bad shards are refused with the reason', () => {
  assert.throws(() => loader({ rank: 2, size: 2 }), /shard rank 2 of 2 is not a valid rank/);
  assert.throws(() => loader({ rank: 0, size: 3 }), /the global batch 8 does not split evenly over 3 processes/);
  assert.throws(() => new DataLoader(dataset(), { batchSize: 8, seed: 0, shard: { rank: 0, size: 2 } }), /sharded loader needs dropLast/);
});
