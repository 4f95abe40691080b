// The browser demo (examples/browser, issue 16 section 3) in headless Chromium: a tiny fine-tuned run is exported with
// `simclr export --onnx`, served by serve.mjs, and a real PNG fed through the page's file input gets the CLI's
// `simclr predict` probabilities within 1e-4; the page's centre crop and grayscale equal the library's. A screenshot is
// kept in the folder BROWSER_DEMO_OUT names.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { evalTransform } from '../../src/data/augment.js';
import { decodeImage } from '../../src/data/decode.js';
import { FASHION_MNIST_CLASSES } from '../../src/data/idx.js';
import { tensor } from '../../src/tensor/index.js';
import { maxAbsDiff } from '../export/helpers.js';
import { tempDir, writeFinetuneCheckpoint, writePretrainCheckpoint } from '../pipeline/helpers.js';
import { runCli } from '../reliability/run_cli.js';
import { CHROMIUM, fashionImage, saveScreenshot, skip, watchProblems, startServer, TIMEOUT } from './helpers.js';


/** Deterministic bytes (a small LCG), so the test needs no random state. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return out;
}

/** A colour image of another size and shape (HWC RGB): smooth shapes plus a little noise, as a photo. */
function photo(width: number, height: number): Uint8Array {
  const noise = bytes(width * height * 3, 11);
  return Uint8Array.from({ length: width * height * 3 }, (_, i) => {
    const [p, c] = [Math.floor(i / 3), i % 3];
    const [x, y] = [p % width, Math.floor(p / width)];
    const v = 128 + 100 * Math.sin((x + 7 * c) / 6) * Math.cos((y - 5 * c) / 9) + (noise[i] - 128) / 8;
    return Math.max(0, Math.min(255, Math.round(v)));
  });
}

interface PageResult { probabilities: number[]; top: Array<{ name: string; probability: number }> }

/** Feeds one file through the page's file input and reads what the page shows. */
async function classifyInPage(page: Page, file: string): Promise<PageResult> {
  await page.setInputFiles('#image-file', file);
  await page.waitForFunction(`document.getElementById('result-status').dataset.state === 'done' && window.simclrDemo.top !== null`, undefined, { timeout: 20_000 });
  const result = (await page.evaluate('({ probabilities: window.simclrDemo.probabilities, top: window.simclrDemo.top })')) as PageResult;
  const shown = await page.locator('#top5 li').allTextContents();
  assert.equal(shown.length, 5, 'five classes listed');
  assert.ok(shown[0].startsWith(`${result.top[0].name}: `), `first line shows the top class: ${shown[0]}`);
  await page.evaluate(`document.getElementById('result-status').dataset.state = 'waiting'`);
  return result;
}

/** The page module's preprocess on opaque RGBA pixels: the model input as a plain array. */
async function pagePreprocess(page: Page, rgba: Uint8Array, width: number, height: number, channels: number, size: number): Promise<number[]> {
  return (await page.evaluate(`import('/preprocess.js').then((m) => Array.from(m.preprocess(new Uint8ClampedArray(${JSON.stringify(Array.from(rgba))}), ${width}, ${height}, { channels: ${channels}, size: ${size} })))`)) as number[];
}

function rgbaOf(hwc: Uint8Array, channels: number): Uint8Array {
  const n = hwc.length / channels;
  return Uint8Array.from({ length: 4 * n }, (_, i) => (i % 4 === 3 ? 255 : hwc[Math.floor(i / 4) * channels + (channels === 1 ? 0 : i % 4)]));
}

test('the browser demo classifies a PNG as simclr predict does (headless Chromium)', { skip, timeout: 150_000 }, async (t) => {
  const { dir, cleanup } = tempDir('simclr-browser-demo-');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  let server: ChildProcess | undefined;
  try {
    writeFinetuneCheckpoint(join(dir, 'finetune'), writePretrainCheckpoint(join(dir, 'pretrain')));
    const model = join(dir, 'web', 'model.onnx');
    const exported = await runCli(['export', join(dir, 'finetune'), '--onnx', model], TIMEOUT);
    assert.equal(exported.code, 0, exported.stderr);
    const images = join(dir, 'images');
    mkdirSync(images);
    const fashion = join(images, 'fashion.png');
    await sharp(await fashionImage(0), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(fashion);
    const colour = join(images, 'photo.png');
    await sharp(photo(45, 37), { raw: { width: 45, height: 37, channels: 3 } }).png().toFile(colour);
    const out = join(dir, 'predictions.jsonl');
    const predicted = await runCli(['predict', join(dir, 'finetune'), '--images', images, '--out', out], TIMEOUT);
    assert.equal(predicted.code, 0, predicted.stderr);
    const cli = new Map(readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { file: string; class: string; probabilities: number[] })
      .map((r) => [r.file, r]));

    const served = await startServer(model);
    server = served.child;
    const page = await browser.newPage();
    const problems = watchProblems(page, { requests: true });
    await page.goto(served.url, { waitUntil: 'load' });
    await page.waitForFunction(`document.getElementById('model-status').dataset.state !== 'loading'`, undefined, { timeout: 20_000 });
    assert.match(await page.locator('#model-status').textContent() ?? '', /classifier, 10 classes; input 1 x 28 x 28/);

    const exact = await classifyInPage(page, fashion);
    const expected = cli.get(fashion)!;
    const diff = maxAbsDiff(exact.probabilities, expected.probabilities);
    t.diagnostic(`fashion.png (28 x 28 gray): page top-1 '${exact.top[0].name}', CLI '${expected.class}', max |page - CLI| ${diff.toExponential(2)}`);
    assert.equal(exact.top[0].name, expected.class);
    assert.ok((FASHION_MNIST_CLASSES as readonly string[]).includes(exact.top[0].name));
    assert.ok(diff <= 1e-4, `max |page - CLI| ${diff.toExponential(3)}`);

    // A 45 x 37 colour PNG: resized (Lanczos-3 in the page, libvips in sharp) and made gray: close, not bit-equal.
    const resized = await classifyInPage(page, colour);
    const other = cli.get(colour)!;
    const resizedDiff = maxAbsDiff(resized.probabilities, other.probabilities);
    t.diagnostic(`photo.png (45 x 37 RGB, resized): page top-1 '${resized.top[0].name}', CLI '${other.class}', max |page - CLI| ${resizedDiff.toExponential(2)}`);
    assert.equal(resized.top[0].name, other.class);
    assert.ok(resizedDiff <= 0.02, `resized image: max |page - CLI| ${resizedDiff.toExponential(3)}`);
    const between = maxAbsDiff(exact.probabilities, resized.probabilities);
    t.diagnostic(`the two images' probabilities differ by up to ${between.toExponential(2)} (the model does look at its input)`);
    assert.ok(between > 100 * Math.max(diff, resizedDiff), `the model barely depends on its input: ${between.toExponential(2)}`);

    // The resize itself, pixel by pixel: the page's Lanczos-3 against sharp's, in grey levels.
    const pageResized = await pagePreprocess(page, rgbaOf(photo(45, 37), 3), 45, 37, 1, 28);
    const sharpResized = await decodeImage(colour, { width: 28, height: 28, channels: 1 });
    const levels = pageResized.map((v, i) => Math.abs(Math.round(v * 255) - sharpResized[i]));
    const meanLevels = levels.reduce((a, b) => a + b, 0) / levels.length;
    t.diagnostic(`resize 45 x 37 -> 28 x 28: page vs sharp max ${Math.max(...levels)} grey levels, mean ${meanLevels.toFixed(2)}`);
    assert.ok(Math.max(...levels) <= 2 && meanLevels <= 0.5, `resize: max ${Math.max(...levels)} levels, mean ${meanLevels.toFixed(2)}`);

    // Grayscale of colour pixels at the model's size (no resize): equal to sharp's, byte for byte.
    const rgb = photo(28, 28);
    const gray = await pagePreprocess(page, rgbaOf(rgb, 3), 28, 28, 1, 28);
    const sharpGray = await decodeImage(await writePng(join(dir, 'rgb28.png'), rgb, 28, 28), { width: 28, height: 28, channels: 1 });
    assert.deepEqual(gray.map((v) => Math.round(v * 255)), Array.from(sharpGray), 'page grayscale equals sharp\'s');

    // Models above 32 pixels: the page's centre crop (0.875, bicubic back to the size) equals evalTransform.
    const rgb40 = bytes(40 * 40 * 3, 3);
    const cropped = await pagePreprocess(page, rgbaOf(rgb40, 3), 40, 40, 3, 40);
    const planar = Uint8Array.from({ length: rgb40.length }, (_, i) => rgb40[(i % 1600) * 3 + Math.floor(i / 1600)]); // HWC -> CHW
    const x = tensor(planar, [1, 3, 40, 40], { dtype: 'uint8' });
    const ref = evalTransform(x);
    const cropDiff = maxAbsDiff(cropped, ref.toFlatArray());
    x.dispose();
    ref.dispose();
    t.diagnostic(`centre crop + bicubic (40 px, RGB): max |page - evalTransform| ${cropDiff.toExponential(2)}`);
    assert.ok(cropDiff <= 1e-5, `centre crop: max |page - evalTransform| ${cropDiff.toExponential(3)}`);

    await saveScreenshot(page, dir, 'browser_demo.png');
    assert.deepEqual(problems, []);
  } finally {
    server?.kill();
    await browser.close();
    cleanup();
  }
});

async function writePng(file: string, hwc: Uint8Array, width: number, height: number): Promise<string> {
  await sharp(hwc, { raw: { width, height, channels: 3 } }).png().toFile(file);
  return file;
}
