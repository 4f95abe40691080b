// Pipeline options without training: label seeds (flag and API), stage folder names, the reproducing command, and
// every preset's stage configs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelSeedsArg } from '../../src/cli/commands/pipeline.js';
import { pipelinePresets } from '../../src/pipeline/config/pipeline_presets.js';
import { resolvePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { checkLabelSeeds, finetuneConfig, pipelineCommand, selfDistillRounds, selfRoundKind, stageDirName, subsetConfigs } from '../../src/pipeline/stages/semi_supervised.js';

test('--label-seeds takes distinct whole numbers separated by commas', () => {
  assert.deepEqual(labelSeedsArg('0,1,2'), [0, 1, 2]);
  assert.deepEqual(labelSeedsArg(' 3, 7 '), [3, 7]);
  assert.throws(() => labelSeedsArg('0,-1'), /--label-seeds expects whole numbers >= 0 separated by commas \(e\.g\. 0,1,2\), got '0,-1'/);
  assert.throws(() => labelSeedsArg('0,,1'), /--label-seeds expects whole numbers/);
  assert.throws(() => labelSeedsArg('1,1'), /--label-seeds repeats a seed: '1,1'/);
  assert.deepEqual(checkLabelSeeds([2, 0]), [2, 0]);
  assert.throws(() => checkLabelSeeds([]), /at least one label seed/);
  assert.throws(() => checkLabelSeeds([0.5]), /0\.5 is not a non-negative integer/);
  assert.throws(() => checkLabelSeeds([1, 1]), /repeats a seed/);
});

test('stage folders keep their old names for label seed 0 and get -sN otherwise; the pipeline command names every option', () => {
  assert.equal(stageDirName('finetune', '1%', 0), 'finetune-1pct');
  assert.equal(stageDirName('distill-small', '10%', 2), 'distill-small-10pct-s2');
  assert.equal(stageDirName('supervised', '60-per-class', 1), 'supervised-60-per-class-s1');
  assert.equal(pipelineCommand({ out: 'runs/demo', preset: 'fashion-mnist-cpu', labelSeeds: [0, 1, 2], common: { threads: 2, seed: 3, skipBad: true, data: 'folder:my data' } }),
    "simclr pipeline --out runs/demo --preset fashion-mnist-cpu --data 'folder:my data' --threads 2 --seed 3 --skip-bad --label-seeds 0,1,2");
  assert.equal(pipelineCommand({ out: 'o', preset: 'tiny' }), 'simclr pipeline --out o --preset tiny --label-seeds 0');
});

test('every preset resolves its stage configs; the baselines run their own recipe (the demo: 209 / 51 epochs)', () => {
  for (const [name, plan] of Object.entries(pipelinePresets)) {
    const x = { out: 'runs/x', plan, common: {}, pretrainConfig: resolvePretrainConfig({ overrides: plan.pretrain }) };
    for (const fraction of plan.fractions) {
      const ft = finetuneConfig(x, fraction, 1);
      assert.deepEqual([ft.labels, ft.labelSeed, ft.from], [fraction, 1, join('runs/x', 'pretrain')], `${name} ${fraction}`);
      const c = subsetConfigs(x, fraction, 1, 'runs/x/finetune-1pct-s1/labels.txt');
      assert.equal(c.supervised.from, undefined, `${name}: the baseline trains from scratch`);
      assert.deepEqual([c.supervised.depth, c.supervised.widthMultiplier, c.supervised.stem], [x.pretrainConfig.depth, x.pretrainConfig.widthMultiplier, x.pretrainConfig.stem]);
      assert.deepEqual([c.supervised.optimizer, c.supervised.nesterov, c.supervised.augment, c.supervised.learningRate, c.supervised.weightDecay], ['sgd', true, 'padCrop', 0.1, 5e-4]);
      assert.equal(c.small.widthMultiplier, x.pretrainConfig.widthMultiplier * plan.smallStudentWidth);
      for (const s of [c.supervised, c.self, c.small]) assert.deepEqual([s.labels, s.labelSeed], ['file:runs/x/finetune-1pct-s1/labels.txt', 1]);
      for (const s of [ft, c.supervised, c.self, c.small]) assert.equal(s.valSplit ?? 0, 0, `${name}: no validation split, nothing chosen during training`);
    }
  }
  const x = { out: 'o', plan: pipelinePresets['fashion-mnist-cpu'], common: {}, pretrainConfig: resolvePretrainConfig({ overrides: pipelinePresets['fashion-mnist-cpu'].pretrain }) };
  const demo = (f: string) => subsetConfigs(x, f, 0, 'l.txt').supervised;
  assert.deepEqual([demo('1%').batchSize, demo('1%').epochs, demo('10%').batchSize, demo('10%').epochs], [64, 209, 128, 51]);
  // The demo's choices from the validation split: the stem frozen when fine-tuning (never for the baseline from scratch),
  // the supervised term for the self-distilled student at 10% only (not for the small one).
  for (const f of ['1%', '10%']) {
    const c = subsetConfigs(x, f, 0, 'l.txt');
    assert.deepEqual([finetuneConfig(x, f, 0).fineTuneAfterBlock, c.supervised.fineTuneAfterBlock], [0, -1]);
    assert.deepEqual([c.self.alpha, c.self.labelledBatchSize, c.small.alpha], f === '10%' ? [0.5, 64, 0] : [0, undefined, 0]);
    assert.equal(c.self.labels, 'file:l.txt', 'the supervised term trains on the fine-tuning subset');
    // Every distillation in bf16 where native (the half-width student too, since session 10); two rounds at 1%.
    assert.deepEqual([c.self.precision, c.small.precision], ['auto', 'auto']);
    assert.deepEqual([c.self.weightDecay, c.small.weightDecay], [0, f === '10%' ? 5e-4 : 0], 'weight decay for the half-width student at 10% only');
    assert.deepEqual(c.laterSelfRounds.map((r) => [r.teacher, r.studentFrom, r.precision, r.alpha, r.epochs]),
      f === '1%' ? [[join('o', 'distill-self-1pct'), join('o', 'pretrain'), 'auto', 0, 6]] : []);
  }
  // --precision on the command line (common settings) still rules every stage.
  const forced = subsetConfigs({ ...x, common: { precision: 'fp32' } }, '1%', 2, 'l.txt');
  assert.deepEqual([forced.self.precision, forced.laterSelfRounds[0].precision, forced.laterSelfRounds[0].teacher], ['fp32', 'fp32', join('o', 'distill-self-1pct-s2')]);
});

test('rounds of self-distillation: round r learns from round r - 1 in its own folder; a bad count is refused', () => {
  assert.deepEqual([selfRoundKind(1), selfRoundKind(2), selfRoundKind(3)], ['distill-self', 'distill-self-r2', 'distill-self-r3']);
  const plan = { ...pipelinePresets.tiny, selfDistillRounds: { '1%': 3 } };
  const x = { out: 'o', plan, common: {}, pretrainConfig: resolvePretrainConfig({ overrides: plan.pretrain }) };
  assert.deepEqual(subsetConfigs(x, '1%', 1, 'l.txt').laterSelfRounds.map((r) => r.teacher), [join('o', 'distill-self-1pct-s1'), join('o', 'distill-self-r2-1pct-s1')]);
  assert.equal(selfDistillRounds(plan, '10%'), 1, 'one round where the plan is silent');
  for (const bad of [0, 1.5]) {
    assert.throws(() => subsetConfigs({ ...x, plan: { ...plan, selfDistillRounds: { '1%': bad } } }, '1%', 0, 'l.txt'), new RegExp(`selfDistillRounds\\['1%'\\]: ${bad} is not a whole number >= 1`));
  }
});
