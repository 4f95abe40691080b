// `--data` strings: parsing, errors, and loading folder (train/test layout) and idx specs.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { DataError, loadDataSpec, parseDataSpec } from '../../src/data/index.js';
import { idxBytes, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);

describe('data specs', () => {
  it('parses every kind and rejects unknown or incomplete ones', () => {
    assert.deepEqual(parseDataSpec('fashion-mnist'), { kind: 'fashion-mnist' });
    assert.deepEqual(parseDataSpec('fashion-mnist:/d'), { kind: 'fashion-mnist', root: '/d' });
    assert.deepEqual(parseDataSpec('cifar10:/c'), { kind: 'cifar10', root: '/c' });
    assert.deepEqual(parseDataSpec('cifar100:/c'), { kind: 'cifar100', root: '/c' });
    assert.deepEqual(parseDataSpec('folder:/f'), { kind: 'folder', root: '/f' });
    assert.deepEqual(parseDataSpec('unlabeled:/u'), { kind: 'unlabeled', root: '/u' });
    assert.deepEqual(parseDataSpec('idx:a,b'), { kind: 'idx', train: ['a', 'b'], test: undefined });
    assert.deepEqual(parseDataSpec('idx:a,b,c,d'), { kind: 'idx', train: ['a', 'b'], test: ['c', 'd'] });
    assert.throws(() => parseDataSpec('imagenet'), /unknown kind 'imagenet'/);
    assert.throws(() => parseDataSpec('cifar10'), /cifar10:DIR/);
    assert.throws(() => parseDataSpec('idx:a'), /IMAGES,LABELS/);
  });

  it('loads a folder with train/ and val/ splits at the given size', async () => {
    for (const split of ['train', 'val']) {
      for (const cls of ['x', 'y']) {
        mkdirSync(join(dir, 'f', split, cls), { recursive: true });
        await sharp(Buffer.alloc(10 * 10 * 3, cls === 'x' ? 10 : 200), { raw: { width: 10, height: 10, channels: 3 } }).png().toFile(join(dir, 'f', split, cls, 'i.png'));
      }
    }
    const { train, test } = await loadDataSpec(`folder:${join(dir, 'f')}`, { size: 6 });
    assert.deepEqual([train.length, train.height, train.numClasses], [2, 6, 2]);
    assert.equal(test?.length, 2);
    const flat = await loadDataSpec(`unlabeled:${join(dir, 'f', 'train')}`, { size: 6 });
    assert.equal(flat.train.labels, null);
    assert.equal(flat.test, null);
  });

  it('labels a test split by the training class names; a test class absent from train is refused by name', async () => {
    const png = (path: string, v: number) => sharp(Buffer.alloc(4 * 4 * 3, v), { raw: { width: 4, height: 4, channels: 3 } }).png().toFile(path);
    const make = async (split: string, classes: string[]) => {
      for (const cls of classes) {
        mkdirSync(join(dir, 'm', split, cls), { recursive: true });
        await png(join(dir, 'm', split, cls, 'i.png'), cls.charCodeAt(0));
      }
    };
    await make('train', ['ant', 'bee', 'cat']);
    await make('test', ['ant', 'cat']); // no 'bee': fine, and 'cat' keeps label 2, not 1
    const { train, test } = await loadDataSpec(`folder:${join(dir, 'm')}`, { size: 4 });
    assert.deepEqual(train.classNames, ['ant', 'bee', 'cat']);
    assert.deepEqual(test!.classNames, train.classNames);
    assert.deepEqual([...test!.labels!], [0, 2]);
    assert.equal(test!.numClasses, 3);
    await make('test', ['dog', 'eel']);
    await assert.rejects(loadDataSpec(`folder:${join(dir, 'm')}`, { size: 4 }), (e: unknown) => e instanceof DataError &&
      e.file === join(dir, 'm', 'test') && e.message.includes(`'dog', 'eel' not among the classes of ${join(dir, 'm', 'train')} (ant, bee, cat)`));
  });

  it('loads idx pairs', async () => {
    writeFileSync(join(dir, 'i'), idxBytes([2, 2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)));
    writeFileSync(join(dir, 'l'), idxBytes([2], Uint8Array.of(1, 0)));
    const { train, test } = await loadDataSpec(`idx:${join(dir, 'i')},${join(dir, 'l')},${join(dir, 'i')},${join(dir, 'l')}`);
    assert.equal(train.length, 2);
    assert.equal(test?.numClasses, 2);
  });
});
