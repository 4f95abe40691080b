// Label-fraction subsets: class balance, repeatability from the seed, the text file round trip, file-name lists.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { classCounts, DataError, drawSubset, InMemoryDataset, parseSubsetSpec, readSubsetFile, resolveSubset, writeSubsetFile } from '../../src/data/index.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);

/** Class c has 100 + 20c images, interleaved. */
function labels(): Int32Array {
  const out: number[] = [];
  for (let c = 0; c < 5; c++) for (let k = 0; k < 100 + 20 * c; k++) out.push(c);
  return Int32Array.from(out.map((_, i) => out[(i * 7919) % out.length]));
}

function dataset(): InMemoryDataset {
  const y = labels();
  return new InMemoryDataset({
    name: 'toy', images: new Uint8Array(y.length), height: 1, width: 1, channels: 1, labels: y,
    classNames: ['a', 'b', 'c', 'd', 'e'], files: Array.from(y, (_, i) => `/data/${y[i]}/img_${i}.JPEG`),
  });
}

describe('label subsets', () => {
  it('parses specs and rejects bad ones', () => {
    assert.deepEqual(parseSubsetSpec('1%'), { kind: 'fraction', fraction: 0.01 });
    assert.deepEqual(parseSubsetSpec('10%'), { kind: 'fraction', fraction: 0.1 });
    assert.deepEqual(parseSubsetSpec('60-per-class'), { kind: 'perClass', count: 60 });
    assert.deepEqual(parseSubsetSpec('file:/x/list.txt'), { kind: 'file', path: '/x/list.txt' });
    assert.throws(() => parseSubsetSpec('150%'), /\(0, 100\]/);
    assert.throws(() => parseSubsetSpec('ten'), /N-per-class/);
  });

  it('draws class-balanced fractions and per-class counts', () => {
    const y = labels();
    const ten = drawSubset(y, 5, { kind: 'fraction', fraction: 0.1 }, 0);
    assert.deepEqual(classCounts(Int32Array.from(ten, (i) => y[i]), 5), [10, 12, 14, 16, 18]);
    const five = drawSubset(y, 5, { kind: 'perClass', count: 5 }, 0);
    assert.deepEqual(classCounts(Int32Array.from(five, (i) => y[i]), 5), [5, 5, 5, 5, 5]);
    assert.equal(new Set(five).size, 25);
    assert.deepEqual([...five], [...five].sort((a, b) => a - b));
    assert.throws(() => drawSubset(y, 5, { kind: 'perClass', count: 101 }, 0), /class 0 has 100 images/);
  });

  it('is repeatable from the seed and differs between seeds', () => {
    const y = labels();
    const spec = { kind: 'perClass', count: 3 } as const;
    assert.deepEqual([...drawSubset(y, 5, spec, 7)], [...drawSubset(y, 5, spec, 7)]);
    assert.notDeepEqual([...drawSubset(y, 5, spec, 7)], [...drawSubset(y, 5, spec, 8)]);
  });

  it('writes a commented text file that reads back to the same subset', async () => {
    const ds = dataset();
    const path = join(dir, 'subset.txt');
    const drawn = await resolveSubset('10%', ds, { seed: 3, writeTo: path });
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^# simclr label subset/);
    assert.match(text, /# 10%, class-balanced, seed 3/);
    assert.deepEqual([...await resolveSubset(`file:${path}`, ds, { seed: 99 })], [...drawn]);
  });

  it('reads lists of file names (as the paper\'s ImageNet lists) and names bad lines', async () => {
    const ds = dataset();
    const path = join(dir, 'names.txt');
    const y9 = ds.labels![9];
    writeFileSync(path, `# two by name, one by index\nimg_5.JPEG\n${y9}/img_9.JPEG\n3\n`);
    assert.deepEqual([...await readSubsetFile(path, ds)], [3, 5, 9]);
    writeFileSync(path, 'img_5.JPEG\nnope.JPEG\n');
    await assert.rejects(readSubsetFile(path, ds), (e: unknown) => e instanceof DataError && e.file === path && /line 2: 'nope.JPEG'/.test(e.message));
    writeFileSync(path, '100000\n');
    await assert.rejects(readSubsetFile(path, ds), /out of range/);
    await writeSubsetFile(path, [], ['empty']);
    await assert.rejects(readSubsetFile(path, ds), /lists no images/);
  });

  it('refuses an image listed twice (by index or by name), naming the file, the index and both lines', async () => {
    const ds = dataset();
    const path = join(dir, 'dups.txt');
    writeFileSync(path, '# header\n4\n7\n4\n');
    await assert.rejects(readSubsetFile(path, ds), (e: unknown) =>
      e instanceof DataError && e.file === path && /line 4: duplicate index 4 \(already listed on line 2\)/.test(e.message));
    writeFileSync(path, '5\nimg_5.JPEG\n');
    await assert.rejects(readSubsetFile(path, ds), /line 2: duplicate index 5 \(already listed on line 1\)/);
  });
});
