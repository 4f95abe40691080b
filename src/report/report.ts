// The semi-supervised pipeline's report: results table (methods x label fractions, mean +- std over label subsets, floors
// included), the protocol, every run with its wall time and reproducing command, curves and pictures as PNG, the
// configuration; written as report.md and report.html (rendered by marked). Plain data in: no pipeline import.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { marked } from 'marked';
import { picturesMarkdown, renderPictures, type PictureInput, type RenderedPicture } from './pictures.js';
import { writeLineChart, type Series } from './plots.js';
import { resultsTable, runsTable, type ResultRow } from './results.js';

export type { ResultRow } from './results.js';
export type { PictureInput, RenderedPicture } from './pictures.js';

/** One line of a run's metrics.jsonl (the run folder's record: step, epoch, loss, lr, ...). */
export type MetricsRecord = Record<string, number | string | boolean | null>;

export interface CurveSet {
  name: string;
  metrics: MetricsRecord[];
}

export interface ReportInput {
  title: string;
  outDir: string;
  dataset: string;
  testImages: number;
  /** Seeds of the label subsets every fraction was run on. */
  labelSeeds: number[];
  pretrain: { runDir: string; summary: Record<string, unknown>; metrics: MetricsRecord[]; command: string };
  finetunes: CurveSet[];
  results: ResultRow[];
  /** How the figures were obtained: one sentence per line (test used once, what chose what). */
  protocol: string[];
  /** What the unlabelled data bought and the plan's goals met or not: one sentence per line, printed under the results. */
  verdict?: string[];
  /** The command that reruns (or resumes) the whole pipeline. */
  pipelineCommand: string;
  configuration: Record<string, unknown>;
  totalWallS: number;
  /** Retrieval grids, embedding map, label efficiency, confusion matrix: PNGs already written or the data to draw them. */
  pictures?: PictureInput[];
  /** Pictures that could not be drawn, one line each (which and why): printed in the report instead of failing it. */
  pictureFailures?: string[];
}

const escapeHtml = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}`);

function series(metrics: MetricsRecord[], key: string, name: string): Series {
  return { name, points: metrics.filter((r) => typeof r[key] === 'number' && typeof r.step === 'number').map((r) => ({ x: r.step as number, y: r[key] as number })) };
}

interface Plot {
  file: string;
  title: string;
}

async function writePlots(input: ReportInput, plotDir: string): Promise<Plot[]> {
  const p = input.pretrain.metrics;
  const charts: Array<[string, Series[], Parameters<typeof writeLineChart>[2]]> = [
    ['pretrain_loss.png', [series(p, 'contrastive_loss', 'NT-Xent loss')], { title: 'Pretraining: contrastive loss', xLabel: 'step', yLabel: 'loss' }],
    ['pretrain_knn.png', [series(p, 'knn_top1', 'kNN top-1'), series(p, 'contrastive_top1', 'contrastive top-1')], { title: 'Pretraining: accuracy', xLabel: 'step', yLabel: 'accuracy' }],
    ['pretrain_lr.png', [series(p, 'lr', 'learning rate')], { title: 'Pretraining: learning rate', xLabel: 'step', yLabel: 'lr' }],
    ['finetune_loss.png', input.finetunes.map((f) => series(f.metrics, 'loss', f.name)), { title: 'Fine-tuning and distillation: training loss', xLabel: 'step', yLabel: 'loss' }],
    ['finetune_val_top1.png', input.finetunes.map((f) => series(f.metrics, 'val_top1', f.name)), { title: 'Fine-tuning and distillation: validation top-1', xLabel: 'step', yLabel: 'top-1' }],
  ];
  const written: Plot[] = [];
  for (const [file, data, options] of charts) {
    if (data.every((s) => s.points.length === 0)) continue;
    await writeLineChart(join(plotDir, file), data.filter((s) => s.points.length > 0), options);
    written.push({ file, title: options.title });
  }
  return written;
}

function picturesSection(pictures: RenderedPicture[], failures: string[]): string[] {
  if (pictures.length === 0 && failures.length === 0) return [];
  return ['## Pictures', '', ...picturesMarkdown(pictures), ...failures.map((f) => `- Not drawn: ${f}`), ...(failures.length > 0 ? [''] : [])];
}

function verdictSection(lines: string[]): string[] {
  return lines.length === 0 ? [] : ['## Label efficiency', '', ...lines.map((line) => `- ${line}`), ''];
}

function markdown(input: ReportInput, plots: Plot[], pictures: RenderedPicture[]): string {
  const s = input.pretrain.summary;
  const pretrainRow: ResultRow = {
    method: 'Pretraining (shared by every row)', fraction: '—', labelSeed: 0, top1: (s.knn_top1 as number | null) ?? null, note: 'kNN',
    wallS: Number(s.wall_s), runDir: input.pretrain.runDir, command: input.pretrain.command,
  };
  const seeds = input.labelSeeds;
  return [
    `# ${input.title}`,
    '',
    `Data: ${input.dataset}; every accuracy is on the ${input.testImages} test images. Total wall time: ${(input.totalWallS / 60).toFixed(1)} minutes.`,
    '',
    '## Results',
    '',
    seeds.length > 1
      ? `Each cell: mean ± sample standard deviation over ${seeds.length} class-balanced label subsets (label seeds ${seeds.join(', ')}), then the value of each subset in seed order.`
      : `One class-balanced label subset (label seed ${seeds[0]}).`,
    '',
    resultsTable(input.results),
    '',
    `Pretraining (run once, shared by every row and subset): ${s.steps} steps (${Number(s.epochs).toFixed(2)} epochs), kNN top-1 ${pct(s.knn_top1 as number)}%, ` +
      `online linear head top-1 ${pct(s.linear_top1 as number)}%, ${Number(s.images_per_s).toFixed(0)} images/s, ${Number(s.wall_s).toFixed(0)} s.`,
    '',
    ...verdictSection(input.verdict ?? []),
    '## Protocol',
    '',
    ...input.protocol.map((line) => `- ${line}`),
    '',
    '## Runs',
    '',
    'Every run behind the table, its wall time (training and evaluation, from its summary.json) and the command that reproduces it.',
    `The whole table: \`${input.pipelineCommand}\`.`,
    '',
    runsTable(input.results, [pretrainRow]),
    '',
    '## Curves',
    '',
    ...plots.map((p) => `![Line chart: ${p.title}](plots/${p.file})\n`),
    ...picturesSection(pictures, input.pictureFailures ?? []),
    '## Configuration',
    '',
    '```json',
    JSON.stringify(input.configuration, null, 2),
    '```',
    '',
  ].join('\n');
}

/** Writes report.md, report.html, plots/*.png and pictures/*.png into input.outDir; returns their paths. */
export async function writeReport(input: ReportInput): Promise<{ markdown: string; html: string; plots: string[]; pictures: string[] }> {
  const plotDir = join(input.outDir, 'plots');
  mkdirSync(plotDir, { recursive: true });
  const plots = await writePlots(input, plotDir);
  const pictures = await renderPictures(input.pictures ?? [], input.outDir, input.results);
  const md = markdown(input, plots, pictures);
  const mdPath = join(input.outDir, 'report.md');
  const htmlPath = join(input.outDir, 'report.html');
  writeFileSync(mdPath, md);
  const body = await marked.parse(md);
  writeFileSync(htmlPath, `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>\n` +
    '<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}' +
    'td,th{border:1px solid #ccc;padding:4px 8px}img{max-width:100%}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>\n' +
    `</head><body>\n${body}</body></html>\n`);
  return { markdown: mdPath, html: htmlPath, plots: plots.map((p) => join(plotDir, p.file)), pictures: pictures.map((p) => join(input.outDir, p.path)) };
}
