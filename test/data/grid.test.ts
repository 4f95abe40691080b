// `show-augment` grid: a PNG with one row per image (original, view 1, view 2), cells enlarged for viewing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { Generator, liveTensors } from '../../src/tensor/index.js';
import { InMemoryDataset, showAugment, writeAugmentGrid } from '../../src/data/index.js';
import * as api from '../../src/index.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);

describe('writeAugmentGrid', () => {
  it('writes rows of original | view 1 | view 2 and leaves no tensors', async () => {
    const images = Uint8Array.from({ length: 5 * 32 * 32 * 3 }, (_, i) => (i * 31) % 256);
    const dataset = new InMemoryDataset({ name: 'toy', images, height: 32, width: 32, channels: 3 });
    const before = liveTensors();
    const out = join(dir, 'sub', 'grid.png');
    const result = await writeAugmentGrid({ dataset, n: 4, out, generator: new Generator(0), gap: 2 });
    assert.equal(liveTensors(), before);
    assert.equal(result.indices.length, 4);
    const meta = await sharp(out).metadata();
    // 32 px cells enlarged x3 to 96, plus a 2 px gap each
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 3 * 98, 4 * 98, 3]);
    const raw = await sharp(out).raw().toBuffer();
    const [i, n] = [result.indices[0], 0];
    assert.deepEqual([...raw.subarray(0, 3)], [...images.subarray(i * 3072, i * 3072 + 3)], `first original pixel (row ${n})`);
  });

  it('showAugment (the library form of simclr show-augment) seeds the grid and loads a data string\'s training split', async () => {
    assert.equal(api.data.showAugment, showAugment, 'exported from the package entry point');
    const images = Uint8Array.from({ length: 6 * 16 * 16 }, (_, i) => (i * 7) % 256);
    const dataset = new InMemoryDataset({ name: 'toy', images, height: 16, width: 16, channels: 1 });
    const options = { n: 3, colorStrength: 0.5, areaRange: [0.2, 1] as [number, number] };
    const a = await showAugment({ ...options, data: dataset, seed: 4, out: join(dir, 'a.png') });
    const b = await writeAugmentGrid({ ...options, dataset, generator: new Generator(4), out: join(dir, 'b.png') });
    assert.deepEqual(a.indices, b.indices);
    assert.deepEqual(readFileSync(join(dir, 'a.png')), readFileSync(join(dir, 'b.png')), 'the same seed draws the same images and views');
    const c = await showAugment({ data: 'fashion-mnist', n: 2, seed: 1, indices: [59999, 0], out: join(dir, 'c.png') });
    assert.deepEqual(c.indices, [59999, 0], 'index 59999 exists only in the training split');
    const meta = await sharp(c.out).metadata();
    assert.deepEqual([meta.width, meta.height], [3 * (28 * 4 + 2), 2 * (28 * 4 + 2)], '28 px cells enlarged x4, 2 px gaps');
  });
});
