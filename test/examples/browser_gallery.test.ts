// The browser demo's nearest neighbours (examples/browser, issue 16 section 3) in headless Chromium: a tiny pretrained
// encoder is exported with `simclr export --gallery`, and the page's top-8 gallery neighbours of a real PNG equal those
// computed in Node from `simclr embed` (same indices, similarities within 1e-4); the gallery's features are embed's.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { galleryFeatures, type GalleryFile } from '../../src/export/index.js';
import { maxAbsDiff } from '../export/helpers.js';
import { tempDir, writePretrainCheckpoint } from '../pipeline/helpers.js';
import { runCli } from '../reliability/run_cli.js';
import { CHROMIUM, fashionImage, saveScreenshot, skip, watchProblems, startServer, TIMEOUT } from './helpers.js';

const CLASSES = ['boot', 'coat', 'shirt', 'bag'];

/** Training image k of class c: a smooth pattern whose frequencies depend on the class, shifted by k. */
function trainingImage(c: number, k: number): Uint8Array {
  return Uint8Array.from({ length: 784 }, (_, i) => {
    const [x, y] = [i % 28, Math.floor(i / 28)];
    return Math.round(127.5 + 127.5 * Math.sin((x + 3 * k) / (2 + c)) * Math.cos((y - 2 * k) / (3 + 2 * c)));
  });
}

const png = (file: string, gray: Uint8Array) => sharp(gray, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);

const normalised = (v: number[]) => {
  const n = Math.max(Math.sqrt(v.reduce((a, b) => a + b * b, 0)), 1e-12);
  return v.map((x) => x / n);
};
const embedRows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; embedding: number[] });

interface Neighbour { position: number; index: number; name: string; similarity: number }

test('the browser demo shows an encoder\'s nearest gallery images as simclr embed finds them (headless Chromium)', { skip, timeout: 150_000 }, async (t) => {
  const { dir, cleanup } = tempDir('simclr-browser-gallery-');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  let server: ChildProcess | undefined;
  try {
    writePretrainCheckpoint(join(dir, 'pretrain'));
    for (const [c, name] of CLASSES.entries()) {
      mkdirSync(join(dir, 'train', name), { recursive: true });
      for (let k = 0; k < 6; k++) await png(join(dir, 'train', name, `img${k}.png`), trainingImage(c, k));
    }
    mkdirSync(join(dir, 'query'));
    const query = join(dir, 'query', 'fashion.png');
    await png(query, await fashionImage(0));

    const model = join(dir, 'web', 'model.onnx');
    const exported = await runCli(['export', join(dir, 'pretrain'), '--onnx', model, '--gallery', '14', '--gallery-data', `folder:${join(dir, 'train')}`], TIMEOUT);
    assert.equal(exported.code, 0, exported.stderr);
    const gallery = JSON.parse(readFileSync(`${model}.gallery.json`, 'utf8')) as GalleryFile;
    assert.deepEqual(gallery.classNames, [...CLASSES].sort());
    assert.ok(!gallery.source.startsWith('/') && gallery.source.endsWith('train'), `no absolute local path in a served file: ${gallery.source}`);
    assert.deepEqual(gallery.items.map((i) => i.label), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3], 'class-balanced: 14 = 4 + 4 + 3 + 3');
    assert.deepEqual(gallery.items.map((i) => i.index), [0, 1, 2, 3, 6, 7, 8, 9, 12, 13, 14, 18, 19, 20], 'first images of each class');
    const features = galleryFeatures(gallery);

    // The gallery's features are simclr embed's (same model, same images), L2-normalised.
    const trainOut = join(dir, 'train.jsonl');
    const embeddedTrain = await runCli(['embed', join(dir, 'pretrain'), '--images', join(dir, 'train'), '--out', trainOut], TIMEOUT);
    assert.equal(embeddedTrain.code, 0, embeddedTrain.stderr);
    const trainRows = embedRows(trainOut);
    const galleryDiff = Math.max(...gallery.items.map((item, r) => maxAbsDiff(features[r], normalised(trainRows[item.index].embedding))));
    t.diagnostic(`gallery features vs normalised simclr embed: max abs difference ${galleryDiff.toExponential(2)}`);
    assert.ok(galleryDiff <= 1e-6, `gallery features differ from embed's by ${galleryDiff}`);

    // Node's top 8 from the CLI's embedding of the query.
    const queryOut = join(dir, 'query.jsonl');
    const embeddedQuery = await runCli(['embed', join(dir, 'pretrain'), '--images', join(dir, 'query'), '--out', queryOut], TIMEOUT);
    assert.equal(embeddedQuery.code, 0, embeddedQuery.stderr);
    const q = normalised(embedRows(queryOut)[0].embedding);
    const sims = features.map((row) => row.reduce((a, v, c) => a + v * q[c], 0));
    const expected = sims.map((s, r) => ({ r, s })).sort((a, b) => b.s - a.s || a.r - b.r).slice(0, 8);

    const served = await startServer(model);
    server = served.child;
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(served.url, { waitUntil: 'load' });
    await page.waitForFunction(`document.getElementById('model-status').dataset.state !== 'loading'`, undefined, { timeout: 20_000 });
    assert.match(await page.locator('#model-status').textContent() ?? '', /encoder \(64 features, gallery of 14 images/);
    assert.equal(await page.locator('#encoder-note').isHidden(), true);

    await page.setInputFiles('#image-file', query);
    await page.waitForFunction(`document.getElementById('result-status').dataset.state === 'done' && window.simclrDemo.neighbours !== null`, undefined, { timeout: 20_000 });
    const shown = (await page.evaluate('window.simclrDemo.neighbours')) as Neighbour[];
    assert.equal(shown.length, 8);
    const worst = Math.max(...shown.map((n, i) => Math.abs(n.similarity - expected[i].s)));
    t.diagnostic(`top 8 (gallery rows): page [${shown.map((n) => n.position)}], Node [${expected.map((e) => e.r)}]; max |similarity difference| ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-4, `similarities differ by ${worst}`);
    shown.forEach((n, i) => {
      const tied = [expected[i - 1], expected[i + 1]].some((e) => e && Math.abs(e.s - expected[i].s) <= 1e-4);
      if (!tied) assert.equal(n.position, expected[i].r, `rank ${i + 1}`);
      assert.equal(n.index, gallery.items[n.position].index);
      assert.equal(n.name, gallery.classNames[gallery.items[n.position].label]);
    });

    // Eight thumbnails, each decoded, captioned with class and similarity.
    const thumbs = await page.locator('#neighbours figure').evaluateAll((figures) => figures.map((f) => {
      const img = f.querySelector('img')!;
      return { decoded: img.complete && img.naturalWidth === 28, caption: f.querySelector('figcaption')!.textContent };
    }));
    assert.equal(thumbs.length, 8);
    thumbs.forEach((th, i) => {
      assert.ok(th.decoded, `thumbnail ${i} decoded`);
      assert.equal(th.caption, `${shown[i].name} ${shown[i].similarity.toFixed(3)}`);
    });

    await saveScreenshot(page, dir, 'browser_demo_neighbours.png');
    assert.deepEqual(problems, []);
  } finally {
    server?.kill();
    await browser.close();
    cleanup();
  }
});
