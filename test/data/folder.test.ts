// Image folders built in the test with sharp (JPEG, PNG, grayscale, alpha, EXIF rotation, a corrupt file):
// decoding, labels, one clear error listing every bad input, skipBad, class names given, the cache, unlabeled folders.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { DataError, imageFolder, writeBadFileList, type Dataset } from '../../src/data/index.js';
import { tempDir } from './helpers.js';
import { writeImageZoo } from './image_zoo.js';

const { dir, cleanup } = tempDir();
after(cleanup);
const root = join(dir, 'labeled');

/** A solid or two-halves raw RGB(A) image as a sharp pipeline. */
function halves(w: number, h: number, left: number[], right: number[]): Sharp {
  const c = left.length;
  const px = Buffer.alloc(w * h * c);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) px.set(j < w / 2 ? left : right, (i * w + j) * c);
  return sharp(px, { raw: { width: w, height: h, channels: c as 3 | 4 } });
}

before(async () => {
  for (const d of ['cat', 'dog']) mkdirSync(join(root, d), { recursive: true });
  await halves(40, 30, [200, 30, 30], [200, 30, 30]).jpeg({ quality: 95 }).toFile(join(root, 'cat', 'a.jpg'));
  // stored 40x20, red left / blue right, EXIF orientation 6: displayed rotated 90 degrees clockwise (red on top)
  await halves(40, 20, [255, 0, 0], [0, 0, 255]).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(join(root, 'cat', 'rot.jpg'));
  await halves(16, 16, [0, 0, 255], [0, 0, 255]).toColourspace('cmyk').jpeg({ quality: 95 }).toFile(join(root, 'cat', 'cmyk.jpg'));
  await sharp(Buffer.alloc(24 * 24, 100), { raw: { width: 24, height: 24, channels: 1 } }).png().toFile(join(root, 'dog', 'gray.png'));
  await halves(20, 20, [0, 0, 0, 0], [0, 255, 0, 255]).png().toFile(join(root, 'dog', 'alpha.png'));
  writeFileSync(join(root, 'dog', 'bad.jpg'), Buffer.from('this is not a JPEG'));
  writeFileSync(join(root, 'dog', 'notes.txt'), 'ignored: not an image extension');
});

function px(ds: Dataset, n: number, i: number, j: number): number[] {
  const base = ((n * ds.height + i) * ds.width + j) * ds.channels;
  return [...ds.images.subarray(base, base + ds.channels)];
}

describe('image folders', () => {
  it('a corrupt image is one clear error naming the file', async () => {
    await assert.rejects(imageFolder({ root, size: 16 }), (e: unknown) =>
      e instanceof DataError && e.file === join(root, 'dog', 'bad.jpg') && /corrupt or unsupported image/.test(e.message) && !e.message.includes('\n'));
  });

  it('skipBad: warns with a count, records the file, and decodes the rest (EXIF, alpha, grayscale, CMYK)', async () => {
    const warnings: string[] = [];
    const ds = await imageFolder({ root, size: 16, fit: 'fill', skipBad: true, onWarning: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /skipped 1 bad file\(s\) of 6 in .*labeled:\n  .*bad\.jpg: corrupt/);
    assert.deepEqual(ds.badFiles.map((b) => b.file), [join(root, 'dog', 'bad.jpg')]);
    assert.deepEqual(ds.classNames, ['cat', 'dog']);
    assert.deepEqual([...ds.labels!], [0, 0, 0, 1, 1]);
    assert.deepEqual(ds.files!.map((f) => f.slice(root.length + 1)), ['cat/a.jpg', 'cat/cmyk.jpg', 'cat/rot.jpg', 'dog/alpha.png', 'dog/gray.png']);
    assert.deepEqual([ds.length, ds.height, ds.width, ds.channels], [5, 16, 16, 3]);
    const blue = px(ds, 1, 8, 8);
    assert.equal((await sharp(join(root, 'cat', 'cmyk.jpg')).metadata()).space, 'cmyk');
    assert.ok(blue[2] > blue[0] + 60 && blue[2] > blue[1] + 40, `CMYK JPEG converted to sRGB blue (CMYK gamut): ${blue}`);
    const [top, bottom] = [px(ds, 2, 1, 8), px(ds, 2, 14, 8)];
    assert.ok(top[0] > 200 && top[2] < 60 && bottom[2] > 200 && bottom[0] < 60, `EXIF rotation: top ${top}, bottom ${bottom}`);
    assert.deepEqual(px(ds, 3, 8, 1), [255, 255, 255], 'transparent pixels composited on white');
    const green = px(ds, 3, 8, 14);
    assert.ok(green[1] > 240 && green[0] < 15 && green[2] < 15, `opaque green ${green}`);
    assert.deepEqual(px(ds, 4, 5, 5), [100, 100, 100], 'grayscale expanded to RGB');
    await writeBadFileList(join(dir, 'bad-files.tsv'), ds.badFiles);
    assert.match(readFileSync(join(dir, 'bad-files.tsv'), 'utf8'), /\n.*bad\.jpg\tcorrupt or unsupported image/);
  });

  it('channels: 1 converts colour to luma', async () => {
    const ds = await imageFolder({ root, size: 8, channels: 1, skipBad: true, onWarning: () => {} });
    assert.equal(ds.channels, 1);
    assert.equal(ds.images.length, 5 * 8 * 8);
    assert.equal(px(ds, 4, 4, 4)[0], 100);
  });

  it('an unreadable file and an empty class folder are named', async () => {
    const r2 = join(dir, 'unreadable');
    mkdirSync(join(r2, 'a'), { recursive: true });
    symlinkSync(join(r2, 'nowhere.png'), join(r2, 'a', 'link.png'));
    await assert.rejects(imageFolder({ root: r2, size: 8 }), (e: unknown) => e instanceof DataError && e.file === join(r2, 'a', 'link.png') && /cannot read image/.test(e.message));
    const r3 = join(dir, 'empty');
    mkdirSync(join(r3, 'full'), { recursive: true });
    mkdirSync(join(r3, 'none'));
    await halves(8, 8, [1, 2, 3], [1, 2, 3]).png().toFile(join(r3, 'full', 'x.png'));
    await assert.rejects(imageFolder({ root: r3, size: 8 }), (e: unknown) => e instanceof DataError && e.file === join(r3, 'none') && /empty class folder/.test(e.message));
    const warnings: string[] = [];
    const ds = await imageFolder({ root: r3, size: 8, skipBad: true, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(ds.classNames, ['full', 'none']);
    assert.equal(ds.length, 1);
    assert.match(warnings[0], /empty class folder/);
    await assert.rejects(imageFolder({ root: join(dir, 'no-such-dir'), size: 8 }), /no-such-dir: cannot list image folder/);
  });

  it('every unreadable image is reported in one error (the first 20, then a count); skipBad lists the same', async () => {
    const r5 = join(dir, 'many-bad');
    mkdirSync(join(r5, 'a'), { recursive: true });
    await halves(8, 8, [1, 2, 3], [1, 2, 3]).png().toFile(join(r5, 'a', 'good.png'));
    const bad = Array.from({ length: 23 }, (_, i) => join(r5, 'a', `bad${String(i).padStart(2, '0')}.png`));
    for (const f of bad) writeFileSync(f, 'not a PNG');
    await assert.rejects(imageFolder({ root: r5, size: 8 }), (e: unknown) => {
      assert.ok(e instanceof DataError && e.file === r5, String(e));
      assert.match(e.message, /23 unreadable images or empty class folders .*--skip-bad/);
      for (const f of bad.slice(0, 20)) assert.ok(e.message.includes(`\n  ${f}: corrupt or unsupported image`), f);
      assert.ok(!e.message.includes(bad[20]) && /\n  and 3 more$/.test(e.message), e.message);
      return true;
    });
    const warnings: string[] = [];
    const ds = await imageFolder({ root: r5, size: 8, skipBad: true, onWarning: (m) => warnings.push(m) });
    assert.equal(ds.length, 1);
    assert.match(warnings[0], /skipped 23 bad file\(s\) of 24 in .*many-bad:\n  .*bad00\.png: corrupt/);
    assert.match(warnings[0], /and 3 more$/);
  });

  it('classes: labels follow the given class names; a folder outside them is refused naming it', async () => {
    const ds = await imageFolder({ root, size: 8, skipBad: true, onWarning: () => {}, classes: { names: ['ant', 'cat', 'dog'], from: 'train/' } });
    assert.deepEqual(ds.classNames, ['ant', 'cat', 'dog']);
    assert.deepEqual([...new Set(ds.labels)], [1, 2]);
    await assert.rejects(imageFolder({ root, size: 8, classes: { names: ['cat'], from: 'train/' } }), /class folder\(s\) 'dog' not among the classes of train\/ \(cat\)/);
  });

  it('caches decoded pixels and notices changed files', async () => {
    const cacheDir = join(dir, 'cache');
    const quiet = { skipBad: true, onWarning: () => {} };
    const first = await imageFolder({ root, size: 12, cacheDir, ...quiet });
    const [file] = readdirSync(cacheDir);
    assert.match(file, /\.u8cache$/);
    const bytes = readFileSync(join(cacheDir, file));
    bytes[bytes.length - 1] ^= 0xff; // tamper the last pixel byte: a cache hit returns it
    writeFileSync(join(cacheDir, file), bytes);
    const second = await imageFolder({ root, size: 12, cacheDir, ...quiet });
    assert.equal(second.images[second.images.length - 1], first.images[first.images.length - 1] ^ 0xff);
    assert.deepEqual(second.badFiles, first.badFiles);
    assert.deepEqual([...second.labels!], [...first.labels!]);
    await assert.rejects(imageFolder({ root, size: 12, cacheDir }), /bad\.jpg/, 'cached bad files still fail without skipBad');
    utimesSync(join(root, 'dog', 'gray.png'), new Date(), new Date(Date.now() + 5000));
    const third = await imageFolder({ root, size: 12, cacheDir, ...quiet });
    assert.equal(third.images[third.images.length - 1], first.images[first.images.length - 1]);
  });

  it('reads an unlabeled folder recursively', async () => {
    const r4 = join(dir, 'unlabeled');
    mkdirSync(join(r4, 'sub'), { recursive: true });
    await halves(10, 10, [9, 9, 9], [9, 9, 9]).png().toFile(join(r4, 'z.png'));
    await halves(10, 10, [7, 7, 7], [7, 7, 7]).webp({ lossless: true }).toFile(join(r4, 'sub', 'y.webp'));
    const ds = await imageFolder({ root: r4, size: 4, labeled: false });
    assert.equal(ds.labels, null);
    assert.equal(ds.numClasses, 0);
    assert.deepEqual(ds.files!.map((f) => f.slice(r4.length + 1)), ['sub/y.webp', 'z.png']);
    assert.deepEqual(px(ds, 0, 0, 0), [7, 7, 7]);
  });
});

test('a stop request ends decoding between images: the load rejects with its reason', async () => {
  const zoo = join(dir, 'zoo-stop');
  await writeImageZoo(zoo, ['a', 'b'], 2); // 36 files
  const controller = new AbortController();
  const pending = imageFolder({
    root: zoo, size: 64, concurrency: 2, signal: controller.signal,
    onWarning: () => {}, skipBad: false,
  });
  // Abort once the first images are under way: the pool must not start the remaining ones.
  setImmediate(() => controller.abort(new DOMException('stopped by SIGINT', 'AbortError')));
  await assert.rejects(pending, (err: Error) => err.name === 'AbortError' && /stopped by SIGINT/.test(err.message));
  const done = new AbortController();
  done.abort(new DOMException('stopped by SIGTERM', 'AbortError'));
  await assert.rejects(imageFolder({ root: zoo, size: 64, signal: done.signal }), /stopped by SIGTERM/);
});
