// The whole SimCLRv2 recipe in one run: pretrain -> fine-tune on each label fraction (and the supervised baseline
// on the same subset) -> distil into a same-size and a smaller student -> report. Every stage is its own run
// folder under `out`; a finished stage (summary.json, not interrupted) is not redone, an unfinished one resumes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { singleProcess, type World } from '../distributed/world.js';
import { writeReport, type ResultRow, type CurveSet } from '../report/report.js';
import { distill } from './distill.js';
import { resolveDistillConfig, type DistillConfigInput } from './distill_config.js';
import { ignoreEvents, type EventSink } from './events.js';
import { finetune } from './finetune.js';
import { resolveFinetuneConfig, type FinetuneConfigInput } from './finetune_config.js';
import { pretrain } from './pretrain.js';
import { resolvePretrainConfig, type PretrainConfigInput } from './pretrain_config.js';
import { RunFolder, type MetricsRecord } from './run_folder.js';
import { StopSignal } from './stop_signal.js';

/** What a pipeline runs: stage settings (as the stages' own config keys) and the label fractions. */
export interface PipelinePlan {
  fractions: string[];
  pretrain: Partial<PretrainConfigInput>;
  /** Fine-tuning of the pretrained model; also the supervised baseline's budget (steps, batch, lr). */
  finetune: Partial<FinetuneConfigInput>;
  /** Per label fraction, on top of `finetune` (e.g. more epochs for 1% than for 10%, as the paper). */
  finetuneByFraction?: Record<string, Partial<FinetuneConfigInput>>;
  /** Baseline-only settings on top of `finetune` (its architecture is the pretrained encoder's). */
  supervised: Partial<FinetuneConfigInput>;
  distill: Partial<DistillConfigInput>;
  /** On top of `distill` for the smaller student, which starts from random weights (e.g. more epochs). */
  smallDistill?: Partial<DistillConfigInput>;
  /** The smaller student's width as a fraction of the teacher's. */
  smallStudentWidth: number;
}

export interface PipelineOptions {
  out: string;
  plan: PipelinePlan;
  /** Settings applied to every stage (data, threads, seed, ...). */
  common?: Record<string, unknown>;
  onEvent?: EventSink;
  stop?: StopSignal;
  /** Data-parallel world every stage trains in (default one process); rank 0 writes the report. */
  world?: World;
}

export interface PipelineResult {
  results: ResultRow[];
  report: { markdown: string; html: string; plots: string[] };
  wall_s: number;
}

type Summary = Record<string, unknown> & { interrupted?: boolean };

/**
 * Runs `run` unless the stage folder already holds a finished summary; resumes a started one. Data parallel: every
 * process decides from the folder as the previous stage left it (barriers before and after looking), so all agree.
 */
async function stage<S extends Summary>(dir: string, run: (resume: boolean) => Promise<S>, emit: EventSink, world: World): Promise<S | null> {
  world.barrier();
  const decision = decide<S>(dir, emit);
  world.barrier();
  if (decision.done) return decision.done;
  const summary = await run(decision.resume);
  return summary.interrupted ? null : summary;
}

function decide<S extends Summary>(dir: string, emit: EventSink): { done: S | null; resume: boolean } {
  const summaryPath = join(dir, 'summary.json');
  if (existsSync(summaryPath)) {
    const done = JSON.parse(readFileSync(summaryPath, 'utf8')) as S;
    if (!done.interrupted) {
      emit({ type: 'info', stage: 'pipeline', message: `${dir}: finished earlier, not redone` });
      return { done, resume: false };
    }
  }
  return { done: null, resume: existsSync(join(dir, 'config.json')) };
}

const slug = (fraction: string) => fraction.replace('%', 'pct').replace(/[^a-z0-9-]+/gi, '-');

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult | null> {
  const emit = o.onEvent ?? ignoreEvents;
  const stop = o.stop ?? new StopSignal();
  const world = o.world ?? singleProcess;
  const start = performance.now();
  const common = o.common ?? {};
  const { plan } = o;
  const dir = (name: string) => join(o.out, name);
  const pretrainConfig = resolvePretrainConfig({ overrides: { ...plan.pretrain, ...common } });
  const pre = await stage(dir('pretrain'), (resume) => pretrain(pretrainConfig, { out: dir('pretrain'), resume, onEvent: emit, stop, world }) as never, emit, world);
  if (!pre) return null;
  const rows: ResultRow[] = [];
  const curves: CurveSet[] = [];
  const row = (method: string, fraction: string, runDir: string, s: Summary): ResultRow => ({
    method, fraction, runDir, top1: s.top1 as number, top5: s.top5 as number, wallS: s.wall_s as number, imagesPerS: s.images_per_s as number,
  });
  for (const fraction of plan.fractions) {
    const f = slug(fraction);
    const tune = { ...plan.finetune, ...(plan.finetuneByFraction?.[fraction] ?? {}) };
    const ftDir = dir(`finetune-${f}`);
    const ft = await stage(ftDir, (resume) => finetune(resolveFinetuneConfig({ overrides: { ...tune, ...common, labels: fraction, from: dir('pretrain') } }), { out: ftDir, resume, onEvent: emit, stop, world }) as never, emit, world);
    if (!ft) return null;
    // The baseline trains the same architecture from scratch on exactly the fine-tuning subset (its labels file).
    const supDir = dir(`supervised-${f}`);
    const arch = { depth: pretrainConfig.depth, widthMultiplier: pretrainConfig.widthMultiplier, skRatio: pretrainConfig.skRatio, stem: pretrainConfig.stem };
    const sup = await stage(supDir, (resume) => finetune(resolveFinetuneConfig({ overrides: { ...tune, ...plan.supervised, ...common, ...arch, labels: `file:${ft.labels_file as string}` } }), { out: supDir, resume, onEvent: emit, stop, world }) as never, emit, world);
    if (!sup) return null;
    const selfDir = dir(`distill-self-${f}`);
    const self = await stage(selfDir, (resume) => distill(resolveDistillConfig({ overrides: { ...plan.distill, ...common, teacher: ftDir, studentFrom: dir('pretrain'), labels: `file:${ft.labels_file as string}` } }), { out: selfDir, resume, onEvent: emit, stop, world }) as never, emit, world);
    if (!self) return null;
    const smallDir = dir(`distill-small-${f}`);
    const small = await stage(smallDir, (resume) => distill(resolveDistillConfig({ overrides: { ...plan.distill, ...plan.smallDistill, ...common, teacher: ftDir, labels: `file:${ft.labels_file as string}`, depth: pretrainConfig.depth, stem: pretrainConfig.stem, widthMultiplier: pretrainConfig.widthMultiplier * plan.smallStudentWidth } }), { out: smallDir, resume, onEvent: emit, stop, world }) as never, emit, world);
    if (!small) return null;
    rows.push(row('Supervised baseline (same subset, same budget)', fraction, supDir, sup), row('SimCLRv2 fine-tuned', fraction, ftDir, ft),
      row('Distilled, self (same size)', fraction, selfDir, self), row(`Distilled, small (${plan.smallStudentWidth}x width)`, fraction, smallDir, small));
    for (const [name, d] of [[`fine-tune ${fraction}`, ftDir], [`baseline ${fraction}`, supDir], [`distill self ${fraction}`, selfDir], [`distill small ${fraction}`, smallDir]]) {
      curves.push({ name, metrics: RunFolder.open(d, { readOnly: true }).readMetrics() });
    }
  }
  // Sum of the stages' own wall times, so a resumed pipeline reports the whole run, not the last invocation.
  const stageWall = [pre, ...rows.map((r) => ({ wall_s: r.wallS }))].reduce((sum, x) => sum + Number(x.wall_s ?? 0), 0);
  const wallS = Math.max(stageWall, (performance.now() - start) / 1000);
  if (world.rank !== 0) return { results: rows, report: { markdown: '', html: '', plots: [] }, wall_s: wallS }; // rank 0 reports
  const preFolder = RunFolder.open(dir('pretrain'), { resume: true });
  const report = await writeReport({
    title: 'SimCLRv2 semi-supervised pipeline', outDir: o.out, dataset: pretrainConfig.data, testImages: Number((rows[0] && (JSON.parse(readFileSync(join(rows[0].runDir, 'summary.json'), 'utf8')).eval_images)) ?? 0),
    pretrain: { runDir: dir('pretrain'), summary: pre, metrics: preFolder.readMetrics() as MetricsRecord[] },
    finetunes: curves, results: rows, configuration: { plan, common }, totalWallS: wallS,
  });
  RunFolder.open(o.out, { resume: true }).writeJson('summary.json', { stage: 'pipeline', results: rows, wall_s: wallS, report: report.markdown });
  return { results: rows, report, wall_s: wallS };
}
