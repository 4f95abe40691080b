// The label-efficiency plot: fractions parsed and ordered, mean ± std per method and fraction from the result rows,
// methods chosen and ordered by the caller, the PNG decoded with sharp, a clear error with nothing to draw.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { fractionPercent, labelEfficiencyPoints, writeLabelEfficiencyPlot } from '../../src/report/label_efficiency_plot.js';
import { syntheticResults } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'label-efficiency-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('label fractions: percent strings and plain fractions', () => {
  assert.deepEqual(['1%', '10%', '0.5%', '0.1', '1', '—', '', '150%', 'x%'].map(fractionPercent), [1, 10, 0.5, 10, 100, null, null, null, null]);
});

test('one point per method and fraction: mean and sample std over label subsets, fractions ascending', () => {
  const rows = [...syntheticResults().reverse(), { ...syntheticResults()[0], fraction: '—', method: 'Pretraining' }];
  const points = labelEfficiencyPoints(rows, ['Supervised', 'Distilled']);
  assert.deepEqual(points.map((p) => [p.method, p.fraction, p.subsets]), [['Supervised', '1%', 2], ['Supervised', '10%', 2], ['Distilled', '1%', 2], ['Distilled', '10%', 2]]);
  assert.ok(Math.abs(points[0].mean - 0.71) < 1e-12);
  assert.ok(Math.abs(points[0].std! - Math.SQRT2 * 0.01) < 1e-12);
  const single = labelEfficiencyPoints(syntheticResults().filter((r) => r.labelSeed === 0));
  assert.deepEqual(single.map((p) => p.method), ['Supervised', 'Supervised', 'SimCLRv2 fine-tuned', 'SimCLRv2 fine-tuned', 'Distilled', 'Distilled']);
  assert.ok(single.every((p) => p.std === null && p.subsets === 1));
});

test('the plot PNG and its caption', async () => {
  const r = await writeLabelEfficiencyPlot(syntheticResults(), { out: join(dir, 'le.png') });
  const meta = await sharp(r.out).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', r.width, r.height]);
  assert.ok(r.width >= 960 && r.height >= 600, `${r.width}x${r.height}`);
  assert.equal(r.points.length, 6);
  assert.match(r.caption, /mean over up to 2 class-balanced label subsets; bars are ± one sample standard deviation/);
  await assert.rejects(writeLabelEfficiencyPlot([], { out: join(dir, 'none.png') }), /no result row with a label fraction/);
});
