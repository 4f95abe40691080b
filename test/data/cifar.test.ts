// CIFAR-10/100 binary batches written in the test: plane-to-HWC pixels, labels, class names, bad files.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cifar10, cifar100, DataError } from '../../src/data/index.js';
import { tempDir } from './helpers.js';

/** A record: label byte(s), then R, G, B planes; pixel (i, j) of channel c is (c * 50 + i + j + seed) % 256. */
function record(labels: number[], seed: number): Buffer {
  const px = Buffer.alloc(3072);
  for (let c = 0; c < 3; c++) for (let i = 0; i < 32; i++) for (let j = 0; j < 32; j++) px[c * 1024 + i * 32 + j] = (c * 50 + i + j + seed) % 256;
  return Buffer.concat([Buffer.from(labels), px]);
}

const { dir, cleanup } = tempDir();
after(cleanup);
const c10 = join(dir, 'cifar-10-batches-bin');
mkdirSync(c10);
for (let k = 1; k <= 5; k++) writeFileSync(join(c10, `data_batch_${k}.bin`), Buffer.concat([record([k], k), record([9], 100 + k)]));
writeFileSync(join(c10, 'test_batch.bin'), record([3], 7));
const c100 = join(dir, 'c100');
mkdirSync(c100);
writeFileSync(join(c100, 'train.bin'), Buffer.concat([record([4, 77], 1), record([19, 99], 2)]));
writeFileSync(join(c100, 'test.bin'), record([0, 5], 3));

describe('CIFAR binary batches', () => {
  it('CIFAR-10: every batch file in order, HWC pixels, labels, class names, nested folder found', async () => {
    const ds = await cifar10({ root: dir, split: 'train' });
    assert.equal(ds.length, 10);
    assert.deepEqual([...ds.labels!], [1, 9, 2, 9, 3, 9, 4, 9, 5, 9]);
    assert.equal(ds.classNames[9], 'truck');
    assert.deepEqual([ds.height, ds.width, ds.channels], [32, 32, 3]);
    const at = (n: number, i: number, j: number, c: number) => ds.images[n * 3072 + (i * 32 + j) * 3 + c];
    assert.equal(at(2, 5, 7, 0), (0 * 50 + 5 + 7 + 2) % 256);
    assert.equal(at(2, 5, 7, 2), (2 * 50 + 5 + 7 + 2) % 256);
    const test = await cifar10({ root: c10, split: 'test' });
    assert.equal(test.length, 1);
  });

  it('CIFAR-100: fine labels by default, coarse on request', async () => {
    const fine = await cifar100({ root: c100, split: 'train' });
    assert.deepEqual([...fine.labels!], [77, 99]);
    assert.equal(fine.numClasses, 100);
    const coarse = await cifar100({ root: c100, split: 'train', labelType: 'coarse' });
    assert.deepEqual([...coarse.labels!], [4, 19]);
    assert.equal(coarse.numClasses, 20);
  });

  it('names the file for a truncated batch or a label out of range', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'test_batch.bin'), record([3], 1).subarray(0, 3000));
    await assert.rejects(cifar10({ root: bad, split: 'test' }), (e: unknown) => e instanceof DataError && e.file === join(bad, 'test_batch.bin') && /truncated/.test(e.message));
    writeFileSync(join(bad, 'test_batch.bin'), Buffer.concat([record([3], 1), record([10], 2)]));
    await assert.rejects(cifar10({ root: bad, split: 'test' }), /test_batch\.bin: label 10 of record 1 out of range \[0, 10\)/);
    await assert.rejects(cifar10({ root: bad, split: 'train' }), /data_batch_1\.bin: cifar10 train batch not found/);
  });
});
