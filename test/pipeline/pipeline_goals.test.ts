// The report's label-efficiency lines from hand-made rows: the best SimCLRv2 row's gain over the baseline, each goal met
// or NOT met with the deciding figures (boundaries included), and goals the report could not check refused up front.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGoals, gainLines, goalLines } from '../../src/pipeline/stages/pipeline_goals.js';
import type { ResultRow } from '../../src/report/results.js';

const m = { supervised: 'Supervised', finetune: 'Fine-tuned', small: 'Small', simclr: ['Fine-tuned', 'Self', 'Small'] };

/** Rows of one method at one fraction, one per label subset. */
const rows = (method: string, fraction: string, top1s: (number | null)[]): ResultRow[] =>
  top1s.map((top1, labelSeed) => ({ method, fraction, labelSeed, top1, runDir: '', command: '' }));

const table: ResultRow[] = [
  ...rows('Supervised', '1%', [0.80, 0.81, 0.82]), ...rows('Fine-tuned', '1%', [0.84, 0.84, 0.85]),
  ...rows('Self', '1%', [0.85, 0.85, 0.86]), ...rows('Small', '1%', [0.83, 0.83, 0.84]),
  ...rows('Supervised', '10%', [0.89, 0.89, 0.89]), ...rows('Fine-tuned', '10%', [0.905, 0.905, 0.905]),
  ...rows('Self', '10%', [0.90, null, 0.90]), ...rows('Small', '10%', [0.89, 0.89, 0.89]),
];

test('gain lines: every SimCLRv2 row against the baseline, lowest to highest mean over subsets, per fraction', () => {
  assert.deepEqual(gainLines(table, ['1%', '10%'], m), [
    '1% labels, against the supervised baseline\'s 81.00: the 3 SimCLRv2 rows from +2.33 ("Small" 83.33) to +4.33 ("Self" 85.33).',
    '10% labels, against the supervised baseline\'s 89.00: the 3 SimCLRv2 rows from +0.00 ("Small" 89.00) to +1.50 ("Fine-tuned" 90.50).',
  ]);
  const losing = [...rows('Supervised', '1%', [0.9]), ...rows('Fine-tuned', '1%', [0.8])];
  assert.deepEqual(gainLines(losing, ['1%', '10%'], m), ['1% labels, against the supervised baseline\'s 90.00: −10.00 ("Fine-tuned" 80.00).']);
});

test('goal lines: met at the boundary, NOT met with the shortfall, the small student checked at every fraction, the wall time', () => {
  const lines = goalLines({ bestTop1: { '1%': 0.86, '10%': 0.905 }, smallStudentGap: 0.015, totalMinutes: 90 }, table, ['1%', '10%'], m, 90 * 60 + 30);
  assert.deepEqual(lines, [
    'Best SimCLRv2 row at 1% >= 86.00: **NOT met** (85.33, "Self"; −0.67; the highest of 3 rows\' means, so a slightly optimistic figure).',
    'Best SimCLRv2 row at 10% >= 90.50: met (90.50, "Fine-tuned"; +0.00; the highest of 3 rows\' means, so a slightly optimistic figure).',
    'Smaller student within 1.50 points of its teacher (the fine-tuned model) at every fraction: met (1%: 83.33 vs 84.33, −1.00; 10%: 89.00 vs 90.50, −1.50).',
    'Whole pipeline within 90 minutes: **NOT met** (90.5 minutes on this machine).',
  ]);
  const tight = goalLines({ smallStudentGap: 0.01 }, table, ['1%', '10%'], m, 0);
  assert.match(tight[0], /^Smaller student within 1\.00 points .*: \*\*NOT met\*\* \(1%: .*; 10%: 89\.00 vs 90\.50, −1\.50\)\.$/);
  const unscored = goalLines({ bestTop1: { '5%': 0.5 }, smallStudentGap: 0.01 }, table, ['5%'], m, 0);
  assert.deepEqual(unscored, [
    'Best SimCLRv2 row at 5% >= 50.00: **NOT met** (no SimCLRv2 row was scored).',
    'Smaller student within 1.00 points of its teacher (the fine-tuned model) at every fraction: **NOT met** (not scored).',
  ]);
  assert.deepEqual(goalLines({}, table, ['1%'], m, 0), []);
});

test('goals the report could not check are refused, naming the key', () => {
  assert.throws(() => checkGoals({ bestTop1: { '5%': 0.9 } }, ['1%', '10%']), /goals\.bestTop1\['5%'\]: the plan has no fraction 5% \(it has 1%, 10%\)/);
  assert.throws(() => checkGoals({ bestTop1: { '1%': 85 } }, ['1%']), /goals\.bestTop1\['1%'\]: 85 is not an accuracy in \(0, 1\] \(0\.85 = 85 %\)/);
  assert.throws(() => checkGoals({ smallStudentGap: -0.01 }, ['1%']), /goals\.smallStudentGap: -0\.01 is not a gap in \[0, 1\)/);
  assert.throws(() => checkGoals({ totalMinutes: 0 }, ['1%']), /goals\.totalMinutes: 0 is not a positive number of minutes/);
  checkGoals({ bestTop1: { '1%': 0.85 }, smallStudentGap: 0, totalMinutes: 90 }, ['1%', '10%']);
});
