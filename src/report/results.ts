// The label-efficiency results: one row per run (method, label fraction, label subset), aggregated per table cell into
// mean +- sample standard deviation over label subsets, with the per-subset values, wall times and reproducing commands.
export interface ResultRow {
  /** e.g. 'Supervised from scratch (converged recipe)', 'SimCLRv2 fine-tuned', 'Distilled, self (same size)'. */
  method: string;
  /** Label fraction, e.g. '1%'. */
  fraction: string;
  /** Seed of the class-balanced label draw: the label subset. */
  labelSeed: number;
  top1: number | null;
  top5?: number | null;
  /** Seconds of training and evaluation (from the stage's summary.json). */
  wallS?: number;
  imagesPerS?: number;
  runDir: string;
  /** The command that reproduces this row. */
  command: string;
  /** A fact worth printing beside the figure, e.g. the L2 strength chosen on the validation split. */
  note?: string;
}

export interface Cell {
  /** top-1 per label subset, in label-seed order (nulls dropped). */
  values: number[];
  seeds: number[];
  mean: number | null;
  /** Sample standard deviation (n - 1); null with fewer than two subsets. */
  std: number | null;
  /** Mean wall seconds per subset. */
  wallS: number | null;
}

export function meanStd(values: number[]): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: null };
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) };
}

/** The cell of one method and fraction. */
export function cellOf(rows: ResultRow[], method: string, fraction: string): Cell {
  const own = rows.filter((r) => r.method === method && r.fraction === fraction).sort((a, b) => a.labelSeed - b.labelSeed);
  const scored = own.filter((r) => typeof r.top1 === 'number');
  const walls = own.map((r) => r.wallS).filter((w): w is number => typeof w === 'number');
  return { values: scored.map((r) => r.top1!), seeds: scored.map((r) => r.labelSeed), ...meanStd(scored.map((r) => r.top1!)), wallS: meanStd(walls).mean };
}

/** A fraction as a percentage with `digits` decimals; '—' for a missing figure. */
export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : (100 * v).toFixed(digits));

/** '80.4 ± 0.9 (79.6, 80.0, 81.6)' over several subsets, '80.4' for one, '—' for none. */
export function formatCell(c: Cell): string {
  if (c.mean === null) return '—';
  if (c.values.length < 2) return pct(c.mean);
  return `${pct(c.mean)} ± ${pct(c.std)} (${c.values.map((v) => pct(v)).join(', ')})`;
}

const unique = <T>(values: T[]) => [...new Set(values)];
const seconds = (s: number | null | undefined) => (s === null || s === undefined ? '—' : s.toFixed(0));

/** Methods x fractions: top-1 mean ± std (per-subset values) and the mean wall time per subset of each fraction. */
export function resultsTable(rows: ResultRow[]): string {
  const fractions = unique(rows.map((r) => r.fraction));
  const methods = unique(rows.map((r) => r.method));
  return [
    `| Method | ${fractions.map((f) => `${f} labels, top-1 (%)`).join(' | ')} | Wall per subset (s): ${fractions.join(' / ')} |`,
    `|---|${fractions.map(() => '---:').join('|')}|---:|`,
    ...methods.map((m) => {
      const cells = fractions.map((f) => cellOf(rows, m, f));
      return `| ${m} | ${cells.map(formatCell).join(' | ')} | ${cells.map((c) => seconds(c.wallS)).join(' / ')} |`;
    }),
  ].join('\n');
}

/** Every run: method, labels, subset seed, top-1, wall time and the command that reproduces it. */
export function runsTable(rows: ResultRow[], first: ResultRow[] = []): string {
  const line = (r: ResultRow) => `| ${r.method} | ${r.fraction} | ${r.fraction === '—' ? '—' : r.labelSeed} | ${pct(r.top1)}${r.note ? ` (${r.note})` : ''} | ${seconds(r.wallS)} | \`${r.command}\` |`;
  return [
    '| Run | Labels | Label seed | Top-1 (%) | Wall (s) | Command |',
    '|---|---|---:|---:|---:|---|',
    ...[...first, ...rows].map(line),
  ].join('\n');
}

/** The aggregated cells for summary.json: method -> fraction -> cell. */
export function aggregate(rows: ResultRow[]): Record<string, Record<string, Cell>> {
  const fractions = unique(rows.map((r) => r.fraction));
  return Object.fromEntries(unique(rows.map((r) => r.method)).map((m) => [m, Object.fromEntries(fractions.map((f) => [f, cellOf(rows, m, f)]))]));
}
