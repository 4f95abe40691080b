// The report's protocol lines, written from the resolved configs: the recipe of each stage and the arithmetic it ran in
// (--precision auto shown with what it resolves to on this machine).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveDistillConfig } from '../../src/pipeline/config/distill_config.js';
import { resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { resolvePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { describeDistill, describeFinetune, describeRecipe, pipelineProtocol, type StageConfigs } from '../../src/pipeline/stages/pipeline_protocol.js';
import { hasNativeBf16 } from '../../src/tensor/index.js';

const stages = (precision: 'fp32' | 'bf16' | 'auto'): StageConfigs => ({
  finetune: resolveFinetuneConfig({ preset: 'tiny', overrides: { from: 'p', precision, augment: 'padCrop', padding: 4 } }),
  supervised: resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, precision } }),
  self: resolveDistillConfig({ preset: 'tiny', overrides: { teacher: 't', precision } }),
  small: resolveDistillConfig({ preset: 'tiny', overrides: { teacher: 't', precision } }),
  laterSelfRounds: [],
});

test('the protocol names each stage\'s arithmetic, auto with what it becomes here', () => {
  const pretrain = resolvePretrainConfig({ preset: 'tiny', overrides: { precision: 'auto' } });
  const lines = pipelineProtocol({ testImages: 100, seeds: [0], pretrain, byFraction: { '1%': stages('fp32'), '10%': stages('bf16') } });
  const here = hasNativeBf16() ? 'bf16' : 'fp32';
  assert.ok(lines.includes(`Arithmetic (--precision): pretraining auto (${here} on this machine's cpu); fine-tuning, baselines and distillation fp32 / bf16. ` +
    'Mixed precision keeps weights, batch-norm statistics and losses in fp32.'), lines.join('\n'));
});

test('the arithmetic line names the kinds of stage that differ, those that agree in one phrase (distillation in bf16, the rest in fp32)', () => {
  const pretrain = resolvePretrainConfig({ preset: 'tiny', overrides: { precision: 'bf16' } });
  const fp32 = stages('fp32');
  const round2 = { ...fp32.self, precision: 'auto' as const };
  const c: StageConfigs = { ...fp32, self: { ...fp32.self, precision: 'auto' }, small: { ...fp32.small, precision: 'auto' }, laterSelfRounds: [round2] };
  const ran = { finetune: 'fp32', supervised: 'fp32', self: 'bf16', small: 'bf16', laterSelfRounds: ['bf16'] };
  const lines = pipelineProtocol({ testImages: 100, seeds: [0], pretrain, byFraction: { '1%': c }, ran: { pretrain: 'bf16', byFraction: { '1%': [ran] } } });
  assert.ok(lines.includes('Arithmetic (--precision): pretraining bf16; fine-tuning and baselines fp32; self-distillation and smaller student bf16 (--precision auto). ' +
    'Mixed precision keeps weights, batch-norm statistics and losses in fp32.'), lines.join('\n'));
  // A later round that ran in fp32 shows beside the others.
  const mixed = pipelineProtocol({ testImages: 100, seeds: [0], pretrain, byFraction: { '1%': c }, ran: { byFraction: { '1%': [{ ...ran, laterSelfRounds: ['fp32'] }] } } });
  assert.ok(mixed.some((l) => l.includes('; fine-tuning and baselines fp32; self-distillation bf16 (--precision auto) / fp32 (--precision auto); smaller student bf16')), mixed.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('Fine-tuning at 1%: ') && l.includes(', 2 rounds of it (each round after the first taught by the previous round\'s student, again from the pretrained encoder) (small student: ')), lines.join('\n'));
  assert.ok(pipelineProtocol({ testImages: 100, seeds: [0], pretrain, byFraction: { '1%': fp32 } }).every((l) => !l.includes('rounds of it')));
});

test('a recipe line names the augmentation: pad crop or resized crop', () => {
  assert.match(describeRecipe(stages('fp32').finetune), /random crop from zero padding 4 \+ flip/);
  assert.match(describeRecipe(stages('fp32').self), /random resized crop \(area >= [\d.]+\) \+ flip/);
});

test('the protocol says what each run\'s summary records it ran in, with the --precision given when that differs', () => {
  const pretrain = resolvePretrainConfig({ preset: 'tiny', overrides: { precision: 'auto' } });
  const fp32Runs = { finetune: 'fp32', supervised: 'fp32', self: 'fp32', small: 'fp32' };
  const lines = pipelineProtocol({
    testImages: 100, seeds: [0, 1], pretrain, byFraction: { '1%': stages('fp32'), '10%': stages('fp32') },
    // A pretraining that ran in bf16 on another machine, and a fine-tuning reused from a bf16 run (precision resumes).
    ran: { pretrain: 'bf16', byFraction: { '1%': [fp32Runs, fp32Runs], '10%': [fp32Runs, { ...fp32Runs, finetune: 'bf16' }] } },
  });
  assert.ok(lines.includes('Arithmetic (--precision): pretraining bf16 (--precision auto); fine-tuning fp32 / bf16 (--precision fp32); baselines, self-distillation and smaller student fp32. ' +
    'Mixed precision keeps weights, batch-norm statistics and losses in fp32.'), lines.join('\n'));
});

test('recipe lines name a frozen stem and the distillation loss (temperature, supervised term)', () => {
  const frozen = resolveFinetuneConfig({ preset: 'tiny', overrides: { from: 'p', fineTuneAfterBlock: 0 } });
  assert.match(describeFinetune(frozen), /, stem frozen \(weights and batch-norm statistics\)$/);
  assert.match(describeFinetune(resolveFinetuneConfig({ preset: 'tiny', overrides: { from: 'p', fineTuneAfterBlock: 2 } })), /, stem and blocks 1-2 frozen/);
  assert.doesNotMatch(describeFinetune(stages('fp32').finetune), /frozen/);
  const withLabels = resolveDistillConfig({ preset: 'tiny', overrides: { teacher: 't', alpha: 0.5, labels: '10%', temperature: 2, scaleByTemperatureSquared: true } });
  assert.match(describeDistill(withLabels), /, temperature 2 \(loss x tau\^2\) \+ 0\.5 x cross-entropy on 16 labelled images per step$/);
  assert.match(describeDistill({ ...withLabels, labelledBatchSize: 4 }), /\+ 0\.5 x cross-entropy on 4 labelled images per step$/);
  assert.match(describeDistill(stages('fp32').self), /, temperature 1$/);
});
