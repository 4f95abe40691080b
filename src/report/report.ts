// The semi-supervised pipeline's report: results table (methods x label fractions), training curves as PNG,
// configuration, wall times and throughput; written as report.md and report.html (rendered by marked).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { marked } from 'marked';
import type { MetricsRecord } from '../pipeline/run_folder.js';
import { writeLineChart, type Series } from './plots.js';

export interface ResultRow {
  /** e.g. 'Supervised baseline', 'SimCLRv2 fine-tuned', 'Distilled (self)', 'Distilled (small)'. */
  method: string;
  /** Label fraction, e.g. '1%'. */
  fraction: string;
  top1: number | null;
  top5?: number | null;
  wallS?: number;
  imagesPerS?: number;
  runDir: string;
}

export interface CurveSet {
  name: string;
  metrics: MetricsRecord[];
}

export interface ReportInput {
  title: string;
  outDir: string;
  dataset: string;
  testImages: number;
  pretrain: { runDir: string; summary: Record<string, unknown>; metrics: MetricsRecord[] };
  finetunes: CurveSet[];
  results: ResultRow[];
  configuration: Record<string, unknown>;
  totalWallS: number;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}`);

function series(metrics: MetricsRecord[], key: string, name: string): Series {
  return { name, points: metrics.filter((r) => typeof r[key] === 'number' && typeof r.step === 'number').map((r) => ({ x: r.step as number, y: r[key] as number })) };
}

/** Results table: one row per method, one column per label fraction (top-1, %). */
export function resultsTable(rows: ResultRow[]): string {
  const fractions = [...new Set(rows.map((r) => r.fraction))];
  const methods = [...new Set(rows.map((r) => r.method))];
  const cell = (m: string, f: string) => pct(rows.find((r) => r.method === m && r.fraction === f)?.top1);
  return [
    `| Method | ${fractions.map((f) => `${f} labels, top-1 (%)`).join(' | ')} |`,
    `|---|${fractions.map(() => '---:').join('|')}|`,
    ...methods.map((m) => `| ${m} | ${fractions.map((f) => cell(m, f)).join(' | ')} |`),
  ].join('\n');
}

async function writePlots(input: ReportInput, plotDir: string): Promise<string[]> {
  const p = input.pretrain.metrics;
  const charts: Array<[string, Series[], Parameters<typeof writeLineChart>[2]]> = [
    ['pretrain_loss.png', [series(p, 'contrastive_loss', 'NT-Xent loss')], { title: 'Pretraining: contrastive loss', xLabel: 'step', yLabel: 'loss' }],
    ['pretrain_knn.png', [series(p, 'knn_top1', 'kNN top-1'), series(p, 'contrastive_top1', 'contrastive top-1')], { title: 'Pretraining: accuracy', xLabel: 'step', yLabel: 'accuracy' }],
    ['pretrain_lr.png', [series(p, 'lr', 'learning rate')], { title: 'Pretraining: learning rate', xLabel: 'step', yLabel: 'lr' }],
    ['finetune_loss.png', input.finetunes.map((f) => series(f.metrics, 'loss', f.name)), { title: 'Fine-tuning and distillation: training loss', xLabel: 'step', yLabel: 'loss' }],
    ['finetune_top1.png', input.finetunes.map((f) => series(f.metrics, 'test_top1', f.name)), { title: 'Fine-tuning and distillation: test top-1', xLabel: 'step', yLabel: 'top-1' }],
  ];
  const written: string[] = [];
  for (const [file, data, options] of charts) {
    if (data.every((s) => s.points.length === 0)) continue;
    await writeLineChart(join(plotDir, file), data.filter((s) => s.points.length > 0), options);
    written.push(file);
  }
  return written;
}

function markdown(input: ReportInput, plots: string[]): string {
  const s = input.pretrain.summary;
  const timing = input.results.map((r) => `| ${r.method} | ${r.fraction} | ${r.wallS?.toFixed(0) ?? '—'} | ${r.imagesPerS?.toFixed(0) ?? '—'} | \`${r.runDir}\` |`);
  return [
    `# ${input.title}`,
    '',
    `Data: ${input.dataset}; every accuracy is on the ${input.testImages} test images. Total wall time: ${(input.totalWallS / 60).toFixed(1)} minutes.`,
    '',
    '## Results',
    '',
    resultsTable(input.results),
    '',
    `Pretraining: ${s.steps} steps (${Number(s.epochs).toFixed(2)} epochs), kNN top-1 ${pct(s.knn_top1 as number)}%, ` +
      `online linear head top-1 ${pct(s.linear_top1 as number)}%, ${Number(s.images_per_s).toFixed(0)} images/s, ${Number(s.wall_s).toFixed(0)} s.`,
    '',
    '## Curves',
    '',
    ...plots.map((p) => `![${p}](plots/${p})\n`),
    '## Wall times and throughput',
    '',
    '| Stage | Labels | Wall (s) | Images/s | Run folder |',
    '|---|---|---:|---:|---|',
    `| Pretraining | — | ${Number(s.wall_s).toFixed(0)} | ${Number(s.images_per_s).toFixed(0)} | \`${input.pretrain.runDir}\` |`,
    ...timing,
    '',
    '## Configuration',
    '',
    '```json',
    JSON.stringify(input.configuration, null, 2),
    '```',
    '',
  ].join('\n');
}

/** Writes report.md, report.html and plots/*.png into input.outDir; returns their paths. */
export async function writeReport(input: ReportInput): Promise<{ markdown: string; html: string; plots: string[] }> {
  const plotDir = join(input.outDir, 'plots');
  mkdirSync(plotDir, { recursive: true });
  const plots = await writePlots(input, plotDir);
  const md = markdown(input, plots);
  const mdPath = join(input.outDir, 'report.md');
  const htmlPath = join(input.outDir, 'report.html');
  writeFileSync(mdPath, md);
  const body = await marked.parse(md);
  writeFileSync(htmlPath, `<!doctype html>\n<html><head><meta charset="utf-8"><title>${input.title}</title>\n` +
    '<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}' +
    'td,th{border:1px solid #ccc;padding:4px 8px}img{max-width:100%}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>\n' +
    `</head><body>\n${body}</body></html>\n`);
  return { markdown: mdPath, html: htmlPath, plots: plots.map((p) => join(plotDir, p)) };
}
