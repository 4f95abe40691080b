// The whole SimCLRv2 recipe in one run: pretrain once -> for every label fraction and label subset (label seed):
// fine-tune, raw-pixel floors, the supervised baseline with its own converged recipe on the same subset, distillation
// into a same-size and a smaller student -> report. Every stage is its own run folder under `out`; a finished stage is
// not redone (its config must match the plan), an unfinished one resumes.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { singleProcess, type World } from '../../distributed/world.js';
import { writeReport, type CurveSet } from '../../report/report.js';
import type { ResultRow } from '../../report/results.js';
import { distill } from './distill.js';
import { distillSchema, resolveDistillConfig, type DistillConfigInput } from '../config/distill_config.js';
import { ignoreEvents, type EventSink } from '../run/events.js';
import { finetune } from './finetune.js';
import { finetuneSchema, resolveFinetuneConfig, type FinetuneConfig, type FinetuneConfigInput } from '../config/finetune_config.js';
import { floorsConfig, floorsStage, type FloorsSummary } from './floors_stage.js';
import { checkGoals, gainLines, goalLines, type PlanGoals } from './pipeline_goals.js';
import { pipelineProtocol, type RanPrecision, type StageConfigs } from './pipeline_protocol.js';
import { runStage, type Summary } from './pipeline_stage.js';
import { pretrain } from './pretrain.js';
import { confusionChoice, reportPictures } from './report_pictures.js';
import { pretrainSchema, resolvePretrainConfig, type PretrainConfig, type PretrainConfigInput } from '../config/pretrain_config.js';
import { RunFolder, type MetricsRecord } from '../run/run_folder.js';
import { shellWord, stageCommand } from './stage_commands.js';
import { StopSignal } from '../run/stop_signal.js';

/** What a pipeline runs: stage settings (as the stages' own config keys) and the label fractions. */
export interface PipelinePlan {
  fractions: string[];
  pretrain: Partial<PretrainConfigInput>;
  /** Fine-tuning of the pretrained model. */
  finetune: Partial<FinetuneConfigInput>;
  /** Per label fraction, on top of `finetune` (e.g. more epochs for 1% than for 10%, as the paper). */
  finetuneByFraction?: Record<string, Partial<FinetuneConfigInput>>;
  /**
   * The supervised baseline's own recipe, trained to convergence (not the fine-tuning budget): the same architecture as
   * the pretrained encoder, from scratch, on exactly the fine-tuning subset.
   */
  supervised: Partial<FinetuneConfigInput>;
  /** Per label fraction, on top of `supervised` (batch size, epochs). */
  supervisedByFraction?: Record<string, Partial<FinetuneConfigInput>>;
  distill: Partial<DistillConfigInput>;
  /** Per label fraction, on top of `distill` for the same-size student (e.g. the supervised term alpha). */
  selfDistillByFraction?: Record<string, Partial<DistillConfigInput>>;
  /**
   * Per label fraction, rounds of self-distillation (default 1): round r > 1 learns from round r - 1's student, again
   * from the pretrained encoder with the same recipe (the paper's self-distillation repeated, as born-again networks).
   * Each round is its own row of the table.
   */
  selfDistillRounds?: Record<string, number>;
  /** On top of `distill` for the smaller student, which starts from random weights (e.g. more epochs). */
  smallDistill?: Partial<DistillConfigInput>;
  /** Per label fraction, on top of `smallDistill`. */
  smallDistillByFraction?: Record<string, Partial<DistillConfigInput>>;
  /** The smaller student's width as a fraction of the teacher's. */
  smallStudentWidth: number;
  /** What the plan sets out to show: the report says of each goal whether the measured table met it. */
  goals?: PlanGoals;
  /** Draw the report's pictures (retrieval grids, embedding map, label efficiency, confusion matrix); default true. */
  pictures?: boolean;
}

export interface PipelineOptions {
  out: string;
  plan: PipelinePlan;
  /** Settings applied to every stage (data, threads, seed, ...). */
  common?: Record<string, unknown>;
  /** Label subsets: every fraction is run once per seed (class-balanced draws) on the one shared pretraining. Default [0]. */
  labelSeeds?: number[];
  /** The plan's preset name, for the reproducing `simclr pipeline` command printed in the report. */
  preset?: string;
  onEvent?: EventSink;
  stop?: StopSignal;
  /** Data-parallel world every stage trains in (default one process); rank 0 writes the report. */
  world?: World;
}

export interface PipelineResult {
  results: ResultRow[];
  report: { markdown: string; html: string; plots: string[]; pictures: string[] };
  wall_s: number;
}

export const METHODS = {
  logistic: 'Logistic regression on raw pixels (labelled images)',
  knn: 'kNN on raw pixels (labelled images as the bank)',
  supervised: 'Supervised from scratch (own recipe, same labels)',
  finetune: 'SimCLRv2 fine-tuned',
  self: 'Distilled, self (same size)',
  /** Round r of self-distillation: `self` for the first. */
  selfRound: (round: number) => (round === 1 ? METHODS.self : `Distilled, self, round ${round} (teacher: round ${round - 1})`),
  small: (width: number) => `Distilled, small (${width}x width)`,
};

/** The stage folder kind of self-distillation round r: 'distill-self' for the first, 'distill-self-r2' after. */
export function selfRoundKind(round: number): string {
  return round === 1 ? 'distill-self' : `distill-self-r${round}`;
}

/** The plan's rounds of self-distillation at one fraction: a whole number >= 1 (default 1). */
export function selfDistillRounds(plan: PipelinePlan, fraction: string): number {
  const rounds = plan.selfDistillRounds?.[fraction] ?? 1;
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError(`selfDistillRounds['${fraction}']: ${rounds} is not a whole number >= 1`);
  return rounds;
}

const slug = (fraction: string) => fraction.replace('%', 'pct').replace(/[^a-z0-9-]+/gi, '-');

/** A stage folder of one fraction and label subset: 'finetune-1pct' for label seed 0, 'finetune-1pct-s2' for seed 2. */
export function stageDirName(kind: string, fraction: string, labelSeed: number): string {
  return `${kind}-${slug(fraction)}${labelSeed === 0 ? '' : `-s${labelSeed}`}`;
}

/** Distinct non-negative integers, in the order given. */
export function checkLabelSeeds(seeds: number[]): number[] {
  if (seeds.length === 0) throw new RangeError('labelSeeds: give at least one label seed');
  for (const s of seeds) if (!(Number.isInteger(s) && s >= 0)) throw new RangeError(`labelSeeds: ${s} is not a non-negative integer`);
  if (new Set(seeds).size !== seeds.length) throw new RangeError(`labelSeeds: ${seeds.join(',')} repeats a seed`);
  return seeds;
}

/** `simclr pipeline ...` with the options that reproduce (or resume) this run. */
export function pipelineCommand(o: Pick<PipelineOptions, 'out' | 'preset' | 'common' | 'labelSeeds'>): string {
  const c = o.common ?? {};
  const words = ['simclr', 'pipeline', '--out', shellWord(o.out), '--preset', o.preset ?? '<plan>'];
  for (const [key, flag] of [['data', '--data'], ['threads', '--threads'], ['seed', '--seed'], ['precision', '--precision'], ['device', '--device']] as const) if (c[key] !== undefined) words.push(flag, shellWord(String(c[key])));
  if (c.skipBad) words.push('--skip-bad');
  words.push('--label-seeds', (o.labelSeeds ?? [0]).join(','));
  return words.join(' ');
}

/** What the stage configs depend on: the plan, the settings common to every stage, the output folder, the pretraining. */
export interface PlanContext {
  out: string;
  plan: PipelinePlan;
  common: Record<string, unknown>;
  pretrainConfig: PretrainConfig;
}

interface Context extends PlanContext {
  emit: EventSink;
  stop: StopSignal;
  world: World;
  command: string;
}

/** The stage configs of one fraction and label subset after fine-tuning (the subset is the fine-tuning run's labels file). */
export function subsetConfigs(x: PlanContext, fraction: string, seed: number, labelsFile: string) {
  const { plan, common } = x;
  const p = x.pretrainConfig;
  const subset = { labels: `file:${labelsFile}`, labelSeed: seed };
  const teacher = join(x.out, stageDirName('finetune', fraction, seed));
  const selfRound = (round: number) => resolveDistillConfig({ overrides: {
    ...plan.distill, ...plan.selfDistillByFraction?.[fraction], ...common, studentFrom: join(x.out, 'pretrain'), ...subset,
    teacher: round === 1 ? teacher : join(x.out, stageDirName(selfRoundKind(round - 1), fraction, seed)),
  } });
  return {
    supervised: resolveFinetuneConfig({ overrides: {
      ...plan.supervised, ...plan.supervisedByFraction?.[fraction], ...common, ...subset,
      depth: p.depth, widthMultiplier: p.widthMultiplier, skRatio: p.skRatio, stem: p.stem,
    } }),
    self: selfRound(1),
    laterSelfRounds: Array.from({ length: selfDistillRounds(plan, fraction) - 1 }, (_, i) => selfRound(i + 2)),
    small: resolveDistillConfig({ overrides: {
      ...plan.distill, ...plan.smallDistill, ...plan.smallDistillByFraction?.[fraction], ...common, teacher, ...subset,
      depth: p.depth, stem: p.stem, widthMultiplier: p.widthMultiplier * plan.smallStudentWidth,
    } }),
  };
}

/** The fine-tuning config of one fraction and label subset (it draws the subset). */
export function finetuneConfig(x: PlanContext, fraction: string, seed: number): FinetuneConfig {
  const { plan, common } = x;
  return resolveFinetuneConfig({ overrides: {
    ...plan.finetune, ...plan.finetuneByFraction?.[fraction], ...common, labels: fraction, labelSeed: seed, from: join(x.out, 'pretrain'),
  } });
}

/** Every stage of one fraction and label subset; null when a stage was interrupted. */
async function runSubset(x: Context, fraction: string, seed: number): Promise<{ rows: ResultRow[]; curves: CurveSet[]; configs: StageConfigs; ran: RanPrecision } | null> {
  const dir = (kind: string) => join(x.out, stageDirName(kind, fraction, seed));
  const options = (out: string, resume: boolean) => ({ out, resume, onEvent: x.emit, stop: x.stop, world: x.world });
  const ftConfig = finetuneConfig(x, fraction, seed);
  const ft = await runStage(dir('finetune'), ftConfig, (resume) => finetune(ftConfig, options(dir('finetune'), resume)) as never, x.emit, x.world);
  if (!ft) return null;
  const labelsFile = ft.labels_file as string;
  const floors = await runStage<FloorsSummary & Summary>(dir('floors'), floorsConfig(ftConfig, labelsFile, seed),
    () => floorsStage(ftConfig, labelsFile, seed, { out: dir('floors'), emit: x.emit, stop: x.stop, world: x.world }) as never, x.emit, x.world);
  if (!floors) return null;
  const c = subsetConfigs(x, fraction, seed, labelsFile);
  const sup = await runStage(dir('supervised'), c.supervised, (resume) => finetune(c.supervised, options(dir('supervised'), resume)) as never, x.emit, x.world);
  if (!sup) return null;
  const selfConfigs = [c.self, ...c.laterSelfRounds]; // round r at index r - 1
  const selfRuns: Summary[] = [];
  for (const [i, config] of selfConfigs.entries()) {
    const kind = selfRoundKind(i + 1);
    const s = await runStage(dir(kind), config, (resume) => distill(config, options(dir(kind), resume)) as never, x.emit, x.world);
    if (!s) return null;
    selfRuns.push(s);
  }
  const small = await runStage(dir('distill-small'), c.small, (resume) => distill(c.small, options(dir('distill-small'), resume)) as never, x.emit, x.world);
  if (!small) return null;
  const row = (method: string, kind: string, s: Summary, command: string): ResultRow => ({
    method, fraction, labelSeed: seed, runDir: dir(kind), command,
    top1: s.top1 as number, top5: s.top5 as number, wallS: s.wall_s as number, imagesPerS: s.images_per_s as number,
  });
  const floorRow = (method: string, f: FloorsSummary['logistic'], name: string): ResultRow => ({
    method, fraction, labelSeed: seed, runDir: dir('floors'), command: x.command, top1: f.top1, top5: f.top5, wallS: f.wall_s,
    note: `${name} ${+f.chosen.toPrecision(3)}${f.chosenOn === 'fixed' ? ', fixed' : ''}`,
  });
  const rows = [
    floorRow(METHODS.logistic, floors.logistic, 'L2'), floorRow(METHODS.knn, floors.knn, 'k'),
    row(METHODS.supervised, 'supervised', sup, stageCommand('finetune', finetuneSchema.shape, c.supervised, dir('supervised'))),
    row(METHODS.finetune, 'finetune', ft, stageCommand('finetune', finetuneSchema.shape, ftConfig, dir('finetune'))),
    ...selfRuns.map((s, i) => row(METHODS.selfRound(i + 1), selfRoundKind(i + 1), s, stageCommand('distill', distillSchema.shape, selfConfigs[i], dir(selfRoundKind(i + 1))))),
    row(METHODS.small(x.plan.smallStudentWidth), 'distill-small', small, stageCommand('distill', distillSchema.shape, c.small, dir('distill-small'))),
  ];
  const curves = [['fine-tune', 'finetune'], ['baseline', 'supervised'],
    ...selfRuns.map((_, i) => [`distill self${i === 0 ? '' : ` round ${i + 1}`}`, selfRoundKind(i + 1)]), ['distill small', 'distill-small']]
    .map(([name, kind]) => ({ name: `${name} ${fraction}`, metrics: RunFolder.open(dir(kind), { readOnly: true }).readMetrics() }));
  const ran = { finetune: ranPrecision(ft), supervised: ranPrecision(sup), self: ranPrecision(selfRuns[0]), small: ranPrecision(small), laterSelfRounds: selfRuns.slice(1).map(ranPrecision) };
  return { rows, curves, configs: { finetune: ftConfig, ...c }, ran };
}

/** The precision a run's summary.json records it ran in (absent in runs older than the field). */
function ranPrecision(s: Summary): string | undefined {
  return typeof s.precision === 'string' ? s.precision : undefined;
}

/** The SimCLRv2 rows of the table: fine-tuned, every round of self-distillation, the small student. */
function simclrMethods(plan: PipelinePlan): string[] {
  const rounds = Math.max(...plan.fractions.map((f) => selfDistillRounds(plan, f)));
  return [METHODS.finetune, ...Array.from({ length: rounds }, (_, i) => METHODS.selfRound(i + 1)), METHODS.small(plan.smallStudentWidth)];
}

/** The label-efficiency plot's lines: the baseline, then every SimCLRv2 row. */
function plotMethods(plan: PipelinePlan): string[] {
  return [METHODS.supervised, ...simclrMethods(plan)];
}

/** The report's pictures unless the plan turns them off; one that cannot be drawn becomes a line in the report. */
async function pipelinePictures(x: Context, seeds: number[], rows: ResultRow[], configs: Record<string, StageConfigs>) {
  if (x.plan.pictures === false) return null;
  const choice = confusionChoice(x.plan.fractions, seeds, METHODS.self);
  const c = configs[choice.fraction].self; // data, limits and test images as the stages used them
  const r = await reportPictures({
    outDir: x.out, data: c.data, skipBad: c.skipBad, trainLimit: c.trainLimit, evalLimit: c.evalLimit, pretrainDir: join(x.out, 'pretrain'),
    confusion: { runDir: join(x.out, stageDirName('distill-self', choice.fraction, choice.seed)), title: choice.title, rule: choice.rule },
    results: rows, methods: plotMethods(x.plan), signal: x.stop.signal,
  });
  x.emit({ type: 'info', stage: 'pipeline', message: `report pictures: ${r.pictures.length} drawn in ${r.wallS.toFixed(1)} s${r.failures.map((f) => `; not drawn: ${f}`).join('')}` });
  return r;
}

/** The report's label-efficiency lines: every SimCLRv2 row's gain at each fraction (lowest to highest), then the plan's goals. */
function pipelineVerdict(plan: PipelinePlan, rows: ResultRow[], wallS: number): string[] {
  const m = { supervised: METHODS.supervised, finetune: METHODS.finetune, small: METHODS.small(plan.smallStudentWidth), simclr: simclrMethods(plan) };
  return [...gainLines(rows, plan.fractions, m), ...(plan.goals ? goalLines(plan.goals, rows, plan.fractions, m, wallS) : [])];
}

/** report.md / report.html of a finished pipeline. */
async function pipelineReport(x: Context, r: {
  seeds: number[]; pre: Summary; rows: ResultRow[]; curves: CurveSet[]; configs: Record<string, StageConfigs>; ran: Record<string, RanPrecision[]>; wallS: number;
}) {
  const preDir = join(x.out, 'pretrain');
  const firstFt = RunFolder.open(join(x.out, stageDirName('finetune', x.plan.fractions[0], r.seeds[0])), { readOnly: true }).readJson<Summary>('summary.json');
  const testImages = Number(firstFt.eval_images ?? 0);
  const pictures = await pipelinePictures(x, r.seeds, r.rows, r.configs);
  return writeReport({
    title: 'SimCLRv2 semi-supervised pipeline', outDir: x.out, dataset: x.pretrainConfig.data, testImages, labelSeeds: r.seeds,
    pretrain: {
      runDir: preDir, summary: r.pre, metrics: RunFolder.open(preDir, { readOnly: true }).readMetrics() as MetricsRecord[],
      command: stageCommand('pretrain', pretrainSchema.shape, x.pretrainConfig, preDir),
    },
    finetunes: r.curves, results: r.rows, verdict: pipelineVerdict(x.plan, r.rows, r.wallS), protocol: pipelineProtocol({
      testImages, seeds: r.seeds, pretrain: x.pretrainConfig, byFraction: r.configs,
      ran: { pretrain: ranPrecision(r.pre), byFraction: r.ran },
    }),
    pipelineCommand: x.command, configuration: { plan: x.plan, common: x.common, labelSeeds: r.seeds }, totalWallS: r.wallS,
    pictures: pictures?.pictures, pictureFailures: pictures?.failures,
  });
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult | null> {
  const start = performance.now();
  const seeds = checkLabelSeeds(o.labelSeeds ?? [0]);
  if (o.plan.goals) checkGoals(o.plan.goals, o.plan.fractions); // a goal the report cannot check fails before any training
  const x: Context = {
    out: o.out, plan: o.plan, common: o.common ?? {}, emit: o.onEvent ?? ignoreEvents, stop: o.stop ?? new StopSignal(), world: o.world ?? singleProcess,
    pretrainConfig: resolvePretrainConfig({ overrides: { ...o.plan.pretrain, ...o.common } }), command: pipelineCommand({ ...o, labelSeeds: seeds }),
  };
  const preDir = join(o.out, 'pretrain');
  const pre = await runStage(preDir, x.pretrainConfig,
    (resume) => pretrain(x.pretrainConfig, { out: preDir, resume, onEvent: x.emit, stop: x.stop, world: x.world }) as never, x.emit, x.world);
  if (!pre) return null;
  const rows: ResultRow[] = [];
  const curves: CurveSet[] = [];
  const configs: Record<string, StageConfigs> = {};
  const ran: Record<string, RanPrecision[]> = {};
  for (const fraction of o.plan.fractions) {
    for (const seed of seeds) {
      const subset = await runSubset(x, fraction, seed);
      if (!subset) return null;
      rows.push(...subset.rows);
      (ran[fraction] ??= []).push(subset.ran);
      if (seed !== seeds[0]) continue;
      curves.push(...subset.curves); // one subset's curves keep the plots readable
      configs[fraction] = subset.configs;
    }
  }
  // Sum of the stages' own wall times, so a resumed pipeline reports the whole run, not the last invocation.
  const stageWall = rows.reduce((sum, r) => sum + Number(r.wallS ?? 0), Number(pre.wall_s ?? 0));
  const wallS = Math.max(stageWall, (performance.now() - start) / 1000);
  if (x.world.rank !== 0) return { results: rows, report: { markdown: '', html: '', plots: [], pictures: [] }, wall_s: wallS }; // rank 0 reports
  const report = await pipelineReport(x, { seeds, pre, rows, curves, configs, ran, wallS });
  RunFolder.open(o.out, { resume: true }).writeJson('summary.json', { stage: 'pipeline', label_seeds: seeds, results: rows, wall_s: wallS, report: report.markdown });
  return { results: rows, report, wall_s: wallS };
}
