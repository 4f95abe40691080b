// The confusion matrix: counts by (true, predicted) class, the accuracy they imply, out-of-range classes named,
// the heatmap PNG decoded with sharp.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { confusionCounts, writeConfusionMatrix } from '../../src/report/confusion_matrix.js';

const dir = mkdtempSync(join(tmpdir(), 'confusion-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('counts by true class (rows) and predicted class (columns)', () => {
  const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2];
  const predictions = [0, 1, 0, 1, 1, 2, 0, 2, 1];
  assert.deepEqual(confusionCounts(predictions, labels, 3), [[2, 1, 0], [0, 2, 0], [1, 1, 2]]);
  assert.throws(() => confusionCounts([0, 3], [0, 1], 3), /image 1 has label 1 and prediction 3/);
  assert.throws(() => confusionCounts([0], [0, 1], 3), /1 predictions but 2 labels/);
});

test('the heatmap PNG, the accuracy and the caption', async () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => i % 4);
  const predictions = labels.map((c, i) => (i % 10 === 0 ? (c + 1) % 4 : c));
  const r = await writeConfusionMatrix({ predictions, labels, classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress'], out: join(dir, 'cm.png'), title: 'Best model' });
  assert.equal(r.accuracy, 0.9);
  assert.equal(r.counts.flat().reduce((a, b) => a + b, 0), 100);
  assert.deepEqual(r.counts[0], [20, 5, 0, 0]); // images 0, 20, 40, 60, 80 of class 0 predicted as 1
  const meta = await sharp(r.out).metadata();
  assert.deepEqual([meta.width, meta.height], [r.width, r.height]);
  assert.ok(r.width > 480 && r.height > 480, `${r.width}x${r.height}`);
  assert.match(r.caption, /^Best model: counts of the 100 test images .* Top-1 90\.0%\.$/);
});
