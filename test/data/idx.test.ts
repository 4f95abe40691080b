// IDX files written in the test (raw and gzip): values, shapes, and one clear error per kind of bad input.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tidy } from '../../src/tensor/index.js';
import { DataError, idxDataset, mnist, readIdx } from '../../src/data/index.js';
import { idxBytes, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);
const images = Uint8Array.from({ length: 5 * 3 * 4 }, (_, i) => (i * 7) % 256); // 5 images of 3x4
const labels = Uint8Array.of(0, 2, 1, 2, 0);
writeFileSync(join(dir, 'img.idx'), idxBytes([5, 3, 4], images));
writeFileSync(join(dir, 'lab.idx.gz'), gzipSync(idxBytes([5], labels)));

describe('IDX files', () => {
  it('reads raw and gzip files with their dims', async () => {
    const a = await readIdx(join(dir, 'img.idx'));
    assert.deepEqual(a.dims, [5, 3, 4]);
    assert.deepEqual([...a.data], [...images]);
    const b = await readIdx(join(dir, 'lab.idx.gz'));
    assert.deepEqual(b.dims, [5]);
  });

  it('makes a dataset whose batches hold the pixels and labels', async () => {
    const ds = await idxDataset({ images: join(dir, 'img.idx'), labels: join(dir, 'lab.idx.gz') });
    assert.equal(ds.length, 5);
    assert.deepEqual([ds.height, ds.width, ds.channels, ds.numClasses], [3, 4, 1, 3]);
    const [batch, lab] = tidy(() => {
      const x = ds.getBatch([3, 1]);
      assert.deepEqual(x.shape, [2, 1, 3, 4]);
      return [x.toFlatArray(), ds.getLabels([3, 1]).toFlatArray()];
    });
    assert.deepEqual(batch, [...images.subarray(36, 48), ...images.subarray(12, 24)]);
    assert.deepEqual(lab, [2, 2]);
  });

  it('names the file for a wrong magic number, truncation, a count mismatch or a label out of range', async () => {
    const write = (name: string, bytes: Uint8Array) => { writeFileSync(join(dir, name), bytes); return join(dir, name); };
    const magic = write('magic.idx', Buffer.concat([Buffer.from([0x08, 0x03, 0x08, 0x01]), Buffer.alloc(8)]));
    await assert.rejects(readIdx(magic), (e: unknown) => e instanceof DataError && e.file === magic && /magic/.test(e.message));
    const short = write('short.idx', idxBytes([5, 3, 4], images).subarray(0, 40));
    await assert.rejects(readIdx(short), (e: unknown) => e instanceof DataError && e.file === short && /truncated/.test(e.message));
    const fewer = write('fewer.idx', idxBytes([4], labels.subarray(0, 4)));
    await assert.rejects(idxDataset({ images: join(dir, 'img.idx'), labels: fewer }), (e: unknown) => e instanceof DataError && e.file === fewer && /4 labels for 5 images/.test(e.message));
    await assert.rejects(idxDataset({ images: join(dir, 'img.idx'), labels: join(dir, 'lab.idx.gz'), numClasses: 2 }),
      (e: unknown) => e instanceof DataError && e.file === join(dir, 'lab.idx.gz') && /label 2 at index 1 out of range \[0, 2\)/.test(e.message));
    const gz = write('bad.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await assert.rejects(readIdx(gz), (e: unknown) => e instanceof DataError && /gzip/.test(e.message));
    await assert.rejects(readIdx(join(dir, 'missing.idx')), (e: unknown) => e instanceof DataError && /cannot read/.test(e.message));
  });

  it('finds MNIST-style files in a folder (plain or .gz)', async () => {
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxBytes([5, 3, 4], images)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([5], labels));
    const ds = await mnist({ root: dir, split: 'train' });
    assert.equal(ds.length, 5);
    assert.equal(ds.name, 'mnist/train');
    await assert.rejects(mnist({ root: dir, split: 'test' }), /t10k-images-idx3-ubyte/);
  });
});
