// Label-efficiency plot (issue 16 section 2; SimCLRv2 paper Fig. 1 style): test top-1 against the fraction of labels on a
// log axis, one line per method (supervised baseline, SimCLRv2 fine-tuned, distilled), mean ± std over label subsets.
import type { TopLevelSpec } from 'vega-lite';
import { cellOf, type ResultRow } from './results.js';
import { writeVegaLitePng } from './vega_png.js';

export interface LabelEfficiencyPoint {
  method: string;
  /** Label fraction in percent, e.g. 1 for '1%'. */
  percent: number;
  fraction: string;
  /** Mean top-1 over label subsets. */
  mean: number;
  /** Sample standard deviation over subsets; null with one subset. */
  std: number | null;
  subsets: number;
}

export interface LabelEfficiencyOptions {
  /** PNG file to write. */
  out: string;
  /** Methods drawn, in legend order; default every method of the rows, in order of first appearance. */
  methods?: string[];
  title?: string;
}

/** '1%' -> 1, '0.5%' -> 0.5, '0.1' (a fraction) -> 10; null for anything else ('—'). */
export function fractionPercent(fraction: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(fraction);
  if (!m) return null;
  const v = Number(m[1]);
  const percent = m[2] ? v : v <= 1 ? 100 * v : null;
  return percent !== null && percent > 0 && percent <= 100 ? percent : null;
}

/** One point per (method, fraction) with a figure: mean and std of top-1 over label subsets. */
export function labelEfficiencyPoints(rows: ResultRow[], methods?: string[]): LabelEfficiencyPoint[] {
  const chosen = methods ?? [...new Set(rows.map((r) => r.method))];
  const fractions = [...new Set(rows.map((r) => r.fraction))].filter((f) => fractionPercent(f) !== null);
  fractions.sort((a, b) => fractionPercent(a)! - fractionPercent(b)!);
  return chosen.flatMap((method) => fractions.flatMap((fraction) => {
    const c = cellOf(rows, method, fraction);
    return c.mean === null ? [] : [{ method, fraction, percent: fractionPercent(fraction)!, mean: c.mean, std: c.std, subsets: c.values.length }];
  }));
}

function spec(points: LabelEfficiencyPoint[], methods: string[], title: string): TopLevelSpec {
  const values = points.map((p) => ({ ...p, low: p.mean - (p.std ?? 0), high: p.mean + (p.std ?? 0) }));
  const percents = [...new Set(points.map((p) => p.percent))].sort((a, b) => a - b);
  const x = {
    field: 'percent', type: 'quantitative' as const, title: 'labelled fraction of the training set (%, log scale)',
    scale: { type: 'log' as const, domain: [percents[0] / 1.4, percents[percents.length - 1] * 1.4] }, axis: { values: percents },
  };
  const color = { field: 'method', type: 'nominal' as const, title: null, scale: { domain: methods }, legend: { orient: 'bottom' as const, columns: 1, labelLimit: 480 } };
  const several = points.some((p) => p.std !== null);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title, width: 480, height: 300, background: 'white',
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'test top-1', scale: { zero: false }, axis: { format: '.1%' } }, color } },
      ...(several ? [{ mark: { type: 'errorbar' as const, ticks: true }, encoding: { x, y: { field: 'low', type: 'quantitative' as const, title: 'test top-1' }, y2: { field: 'high' }, color } }] : []),
    ],
  };
}

/** Writes the plot PNG; returns the points drawn and a caption (subsets per point, what the bars are). */
export async function writeLabelEfficiencyPlot(rows: ResultRow[], o: LabelEfficiencyOptions): Promise<{ out: string; width: number; height: number; points: LabelEfficiencyPoint[]; caption: string }> {
  const points = labelEfficiencyPoints(rows, o.methods);
  if (points.length === 0) throw new Error('label-efficiency plot: no result row with a label fraction like "1%" and a top-1 figure');
  const methods = [...new Set(points.map((p) => p.method))];
  const { width, height } = await writeVegaLitePng(o.out, spec(points, methods, o.title ?? 'Label efficiency'));
  const maxSubsets = Math.max(...points.map((p) => p.subsets));
  const caption = `Test top-1 against the fraction of labelled training images (log scale) for ${methods.join(', ')}. ` +
    (maxSubsets > 1 ? `Each point is the mean over up to ${maxSubsets} class-balanced label subsets; bars are ± one sample standard deviation.` : 'One label subset per point.');
  return { out: o.out, width, height, points, caption };
}
