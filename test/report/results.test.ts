// The results table: mean ± sample std per cell with the per-subset values in seed order, wall times, the runs table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate, cellOf, formatCell, meanStd, resultsTable, runsTable, type ResultRow } from '../../src/report/results.js';

const row = (method: string, fraction: string, labelSeed: number, top1: number | null, wallS: number): ResultRow => ({
  method, fraction, labelSeed, top1, wallS, runDir: `runs/${method}-${fraction}-${labelSeed}`, command: `simclr finetune --out runs/x-${labelSeed}`,
});

test('mean and sample standard deviation (n - 1)', () => {
  assert.deepEqual(meanStd([]), { mean: null, std: null });
  assert.deepEqual(meanStd([0.5]), { mean: 0.5, std: null });
  const { mean, std } = meanStd([0.796, 0.8, 0.816]);
  assert.ok(Math.abs(mean! - 0.804) < 1e-12);
  assert.ok(Math.abs(std! - Math.sqrt(((0.008 ** 2) + (0.004 ** 2) + (0.012 ** 2)) / 2)) < 1e-12);
});

test('cells list the subsets in seed order; one subset shows its value alone; a missing figure is a dash', () => {
  const rows = [row('A', '1%', 2, 0.816, 30), row('A', '1%', 0, 0.796, 10), row('A', '1%', 1, 0.8, 20), row('A', '10%', 0, 0.894, 100), row('B', '1%', 0, null, 5)];
  const c = cellOf(rows, 'A', '1%');
  assert.deepEqual([c.seeds, c.values, c.wallS], [[0, 1, 2], [0.796, 0.8, 0.816], 20]);
  assert.equal(formatCell(c), '80.4 ± 1.1 (79.6, 80.0, 81.6)');
  assert.equal(formatCell(cellOf(rows, 'A', '10%')), '89.4');
  assert.equal(formatCell(cellOf(rows, 'B', '1%')), '—');
  assert.equal(resultsTable(rows), [
    '| Method | 1% labels, top-1 (%) | 10% labels, top-1 (%) | Wall per subset (s): 1% / 10% |',
    '|---|---:|---:|---:|',
    '| A | 80.4 ± 1.1 (79.6, 80.0, 81.6) | 89.4 | 20 / 100 |',
    '| B | — | — | 5 / — |',
  ].join('\n'));
  assert.deepEqual(Object.keys(aggregate(rows)), ['A', 'B']);
  assert.equal(aggregate(rows).A['10%'].mean, 0.894);
});

test('the runs table puts the command beside every run', () => {
  const md = runsTable([{ ...row('A', '1%', 1, 0.8, 12), note: 'L2 0.01' }], [{ ...row('Pretraining', '—', 0, 0.82, 600), note: 'kNN' }]);
  const lines = md.split('\n');
  assert.equal(lines[2], '| Pretraining | — | — | 82.0 (kNN) | 600 | `simclr finetune --out runs/x-0` |');
  assert.equal(lines[3], '| A | 1% | 1 | 80.0 (L2 0.01) | 12 | `simclr finetune --out runs/x-1` |');
});
