// `show-augment` grid: a PNG with one row per image (original, view 1, view 2), cells enlarged for viewing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { Generator, liveTensors } from '../../src/tensor/index.js';
import { InMemoryDataset, writeAugmentGrid } from '../../src/data/index.js';
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
});
