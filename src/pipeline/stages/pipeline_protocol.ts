// The report's protocol: how every figure of the pipeline was obtained (the test split used once, what was chosen on
// what, the baseline's recipe, label subsets), written from the resolved stage configs so it cannot drift from them.
import type { DistillConfig } from '../config/distill_config.js';
import type { FinetuneConfig } from '../config/finetune_config.js';
import { FLOOR_VALIDATION_FRACTION, K_GRID, L2_GRID } from './pixel_floors.js';
import type { PretrainConfig } from '../config/pretrain_config.js';
import type { TrainingConfig } from '../config/stage_config.js';
import { resolvePrecision, type PrecisionChoice } from './mixed_precision.js';

/** The resolved configs of one fraction's stages (any label subset: they differ only in the subset). */
export interface StageConfigs {
  finetune: FinetuneConfig;
  supervised: FinetuneConfig;
  self: DistillConfig;
  small: DistillConfig;
  /** Rounds 2, 3, ... of self-distillation, each taught by the round before (empty: one round). */
  laterSelfRounds: DistillConfig[];
}

/** One line: optimiser, schedule, augmentation and length of a supervised stage. */
export function describeRecipe(c: TrainingConfig): string {
  const crop = c.augment === 'padCrop' ? `random crop from zero padding ${c.padding ?? 4}` : `random resized crop (area >= ${c.cropMinArea})`;
  const length = c.epochs !== undefined ? `${c.epochs} epochs` : `${c.steps} steps`;
  return `${c.optimizer}${c.nesterov ? ' (Nesterov)' : ''} momentum ${c.momentum}, lr ${c.learningRate} (${c.lrScaling === 'none' ? 'unscaled' : `${c.lrScaling}-scaled`}), ` +
    `cosine decay, weight decay ${c.weightDecay}, batch ${c.batchSize}, ${crop} + flip, ${length}`;
}

/** A fine-tuning recipe, with the part of the encoder it keeps frozen (official fine_tune_after_block). */
export function describeFinetune(c: FinetuneConfig): string {
  const k = c.fineTuneAfterBlock;
  return describeRecipe(c) + (k < 0 ? '' : `, stem${k > 0 ? ` and blocks 1-${k}` : ''} frozen (weights and batch-norm statistics)`);
}

/** A distillation recipe with its loss: temperature, and the supervised term when alpha > 0. */
export function describeDistill(c: DistillConfig): string {
  const supervised = c.alpha > 0 ? ` + ${c.alpha} x cross-entropy on ${c.labelledBatchSize ?? c.batchSize} labelled images per step` : '';
  return `${describeRecipe(c)}, temperature ${c.temperature}${c.scaleByTemperatureSquared ? ' (loss x tau^2)' : ''}${supervised}`;
}

/** ', 2 rounds of it (...)' when self-distillation is repeated (every round has the first round's recipe, its own teacher). */
function laterRounds(c: StageConfigs): string {
  const n = c.laterSelfRounds.length;
  return n === 0 ? '' : `, ${n + 1} rounds of it (each round after the first taught by the previous round's student, again from the pretrained encoder)`;
}

/** What each stage's summary.json says it ran in (absent for runs older than the field). */
export interface RanPrecision {
  finetune?: string;
  supervised?: string;
  self?: string;
  small?: string;
  laterSelfRounds?: (string | undefined)[];
}

/**
 * A stage's arithmetic: what its summary says it ran in, with the --precision it was given when that differs ('auto',
 * or a finished stage reused under another setting); without a summary, 'auto' is worked out for this machine.
 */
function precisionWord(c: { precision: PrecisionChoice; device: string }, ran?: string): string {
  if (ran === undefined) return c.precision === 'auto' ? `auto (${resolvePrecision('auto', c.device)} on this machine's ${c.device})` : c.precision;
  return ran === c.precision ? ran : `${ran} (--precision ${c.precision})`;
}

/** The stages of one fraction by kind, each with what its run recorded: [config, ran precision] pairs. */
function stagesByKind(c: StageConfigs, ran: RanPrecision): Record<StageKind, [TrainingConfig, string | undefined][]> {
  return {
    'fine-tuning': [[c.finetune, ran.finetune]],
    baselines: [[c.supervised, ran.supervised]],
    'self-distillation': [[c.self, ran.self], ...c.laterSelfRounds.map((r, i): [TrainingConfig, string | undefined] => [r, ran.laterSelfRounds?.[i]])],
    'smaller student': [[c.small, ran.small]],
  };
}

type StageKind = 'fine-tuning' | 'baselines' | 'self-distillation' | 'smaller student';

/** 'a', 'a and b', 'a, b and c'. */
function andList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Pretraining's arithmetic, then each kind of stage's (kinds that agree share a phrase). */
function precisionLine(pretrain: PretrainConfig, pretrainRan: string | undefined, fractions: [StageConfigs, RanPrecision[]][]): string {
  const words: Record<StageKind, Set<string>> = { 'fine-tuning': new Set(), baselines: new Set(), 'self-distillation': new Set(), 'smaller student': new Set() };
  for (const [c, subsets] of fractions) {
    for (const ran of subsets.length > 0 ? subsets : [{}]) {
      for (const [kind, stages] of Object.entries(stagesByKind(c, ran))) for (const [config, r] of stages) words[kind as StageKind].add(precisionWord(config, r));
    }
  }
  // Kinds that ran alike share one phrase, in the order they first appear: "fine-tuning and baselines fp32; ...".
  const kindsByPhrase = new Map<string, string[]>();
  for (const [kind, w] of Object.entries(words)) {
    const phrase = [...w].join(' / ');
    kindsByPhrase.set(phrase, [...(kindsByPhrase.get(phrase) ?? []), kind]);
  }
  const stages = kindsByPhrase.size === 1 ? `fine-tuning, baselines and distillation ${[...kindsByPhrase.keys()][0]}`
    : [...kindsByPhrase].map(([phrase, kinds]) => `${andList(kinds)} ${phrase}`).join('; ');
  return `Arithmetic (--precision): pretraining ${precisionWord(pretrain, pretrainRan)}; ${stages}. ` +
    'Mixed precision keeps weights, batch-norm statistics and losses in fp32.';
}

function validationLine(configs: StageConfigs[]): string {
  const splits = [...new Set(configs.flatMap((c) => Object.values(stagesByKind(c, {})).flat().map(([config]) => config.valSplit ?? 0)))];
  if (splits.every((n) => n === 0)) {
    return 'No validation split (valSplit 0): every schedule and hyper-parameter is fixed in the plan, nothing is evaluated or chosen during ' +
      'training, and each row is its run\'s last step.';
  }
  return `Periodic evaluation on a validation split of ${splits.join(' / ')} training images outside each labelled subset (held out of ` +
    'training and distillation); the figures are still each run\'s last step (its "best" checkpoint, chosen on validation, is not used).';
}

/** `ran`: the precision each run's summary records (pretraining, and per fraction one entry per label subset). */
export function pipelineProtocol(o: {
  testImages: number; seeds: number[]; pretrain: PretrainConfig; byFraction: Record<string, StageConfigs>;
  ran?: { pretrain?: string; byFraction: Record<string, RanPrecision[]> };
}): string[] {
  const fractions = Object.entries(o.byFraction);
  return [
    `Every test figure is computed once, at the end of its run, on the ${o.testImages} test images; nothing is selected on them.`,
    validationLine(fractions.map(([, c]) => c)),
    precisionLine(o.pretrain, o.ran?.pretrain, fractions.map(([f, c]) => [c, o.ran?.byFraction[f] ?? []])),
    ...fractions.map(([f, c]) => `Supervised baseline at ${f}: the encoder's architecture from scratch on the same labelled subset, ${describeFinetune(c.supervised)}.`),
    ...fractions.map(([f, c]) => `Fine-tuning at ${f}: ${describeFinetune(c.finetune)}; distillation: ${describeDistill(c.self)}${laterRounds(c)} (small student: ${describeDistill(c.small)}).`),
    `Raw-pixel floors: logistic regression (L-BFGS on standardised pixels, L2 from {${L2_GRID.join(', ')}}) and weighted kNN (cosine, ` +
      `temperature 0.1, k from {${K_GRID.join(', ')}}) on the labelled images only; L2 and k chosen on a class-stratified ` +
      `${FLOOR_VALIDATION_FRACTION * 100}% of the labelled subset, then refit on all of it (a subset with no class of 2 images uses ` +
      'fixed settings, L2 1/N and k 20, marked "fixed").',
    `Label subsets: class-balanced draws from label seed${o.seeds.length > 1 ? 's' : ''} ${o.seeds.join(', ')}; every stage of a subset trains on the ` +
      'same labels file (its sha256 is in each summary.json); ± is the sample standard deviation (n - 1) over subsets.',
    `Pretraining is run once and shared by every subset; ${o.pretrain.knnEvery > 0 ? `its kNN monitor on the test split (every ${o.pretrain.knnEvery} epochs) only draws the curve: ` : ''}` +
      'its last checkpoint is fine-tuned, none is chosen.',
  ];
}
