// The HTML report in a real browser (issue 16 section 2): Debian's chromium driven by playwright-core loads report.html
// with every kind of picture from synthetic data; no console errors, every <img> decodes at its PNG's size, and a
// full-page screenshot is saved in the run folder (kept when REPORT_BROWSER_OUT names that folder).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { writeReport } from '../../src/report/report.js';
import { syntheticReportInput } from './synthetic.js';

const CHROMIUM = '/usr/bin/chromium';
/** Runs in the page (a string: this project's TypeScript has no DOM types): every <img>, decoded, with its natural size. */
const IMAGES = `Promise.all(Array.from(document.images).map(async (img) => {
  const decoded = await img.decode().then(() => 'ok', (e) => e.message);
  return { src: img.getAttribute('src') || '', alt: img.alt, decoded, width: img.naturalWidth, height: img.naturalHeight };
}))`;
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (Debian: apt-get install -y chromium): report.html is not checked in a browser`;

test('report.html loads in headless Chromium without console errors and every image decodes', { skip, timeout: 120_000 }, async (t) => {
  const keep = process.env.REPORT_BROWSER_OUT;
  const outDir = keep ?? mkdtempSync(join(tmpdir(), 'report-browser-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  try {
    const report = await writeReport(syntheticReportInput(outDir));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    await page.goto(pathToFileURL(report.html).href, { waitUntil: 'load' });
    const images = (await page.evaluate(IMAGES)) as Array<{ src: string; alt: string; decoded: string; width: number; height: number }>;
    assert.equal(images.length, report.plots.length + report.pictures.length);
    for (const img of images) {
      assert.equal(img.decoded, 'ok', `${img.src} did not decode`);
      assert.ok(img.alt.length > 0, `${img.src} has no alt text`);
      const meta = await sharp(join(outDir, decodeURI(img.src))).metadata();
      assert.deepEqual([img.width, img.height], [meta.width, meta.height], `${img.src}: browser size vs file`);
    }
    const screenshot = join(outDir, 'report_screenshot.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const shot = await sharp(screenshot).metadata();
    assert.equal(shot.width, 1100);
    assert.ok(shot.height! > 3000, `full page: ${shot.height} pixels tall`);
    assert.deepEqual(problems, []);
    t.diagnostic(`${images.length} images decoded; screenshot ${screenshot} (${shot.width}x${shot.height})`);
  } finally {
    await browser.close();
    if (!keep) rmSync(outDir, { recursive: true, force: true });
  }
});
