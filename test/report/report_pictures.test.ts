// The report with pictures: every kind rendered under pictures/, linked from report.md and report.html with alt text
// and a numbered caption; a PNG given by path is linked relative to the report; a missing one is named.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { writeReport } from '../../src/report/report.js';
import { syntheticReportInput } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'report-pictures-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('every picture is written, decodes, and is linked with alt text and a caption', async () => {
  const outDir = join(dir, 'run');
  mkdirSync(join(outDir, 'extra'), { recursive: true });
  await sharp({ create: { width: 4, height: 3, channels: 3, background: 'red' } }).png().toFile(join(outDir, 'extra', 'augment grid.png'));
  const input = syntheticReportInput(outDir, [{ kind: 'file', path: join(outDir, 'extra', 'augment grid.png'), caption: 'Augmented views.', alt: 'Augmentation [grid]' }]);
  const r = await writeReport(input);
  assert.deepEqual(r.pictures.map((p) => p.slice(outDir.length + 1)), [
    'pictures/retrieval-1.png', 'pictures/retrieval-2.png', 'pictures/embedding-3.png', 'pictures/label-efficiency-4.png', 'pictures/confusion.png', 'extra/augment grid.png',
  ]);
  for (const p of r.pictures) assert.equal((await sharp(p).metadata()).format, 'png', p);
  const md = readFileSync(r.markdown, 'utf8');
  assert.match(md, /!\[Nearest-neighbour retrieval grid: Pretrained encoder\]\(pictures\/retrieval-1\.png\)\n\n\*\*Figure 1\.\*\* Pretrained encoder: each row is a test image/);
  assert.match(md, /!\[Nearest-neighbour retrieval grid: Raw pixels\]\(pictures\/retrieval-2\.png\)/);
  assert.match(md, /\*\*Figure 3\.\*\* Test embeddings \(UMAP\): .* random subsample of 50 of the 60 test images/);
  assert.match(md, /!\[Augmentation  grid \]\(extra\/augment%20grid\.png\)\n\n\*\*Figure 6\.\*\* Augmented views\./);
  assert.match(md, /!\[Line chart: Pretraining: contrastive loss\]\(plots\/pretrain_loss\.png\)/);
  const html = readFileSync(r.html, 'utf8');
  assert.match(html, /<title>Synthetic report &#38; pictures<\/title>/);
  const images = [...html.matchAll(/<img src="([^"]+)" alt="([^"]*)"/g)].map((m) => [m[1], m[2]]);
  assert.equal(images.length, r.plots.length + 6);
  assert.ok(images.every(([, alt]) => alt.length > 10), 'every image has alt text');
  assert.ok(images.some(([src, alt]) => src === 'pictures/confusion.png' && alt === 'Confusion matrix heatmap of true against predicted class: Distilled, 10% labels'));
});

test('a picture file that does not exist is named', async () => {
  const input = { ...syntheticReportInput(join(dir, 'missing')), pictures: [{ kind: 'file' as const, path: 'nope.png', caption: 'x', alt: 'y' }] };
  await assert.rejects(writeReport(input), /report picture 1: file .*missing\/nope\.png does not exist/);
});
