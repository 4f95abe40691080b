// Fine-tune and distill configurations: defaults, presets, and one clear message per problem (conflicting architecture
// keys, missing length, bad label specs, misspelt keys); the labels option's forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/pipeline/config_errors.js';
import { resolveDistillConfig, validateDistillConfig } from '../../src/pipeline/distill_config.js';
import { finetuneSchema, resolveFinetuneConfig, validateFinetuneConfig } from '../../src/pipeline/finetune_config.js';
import { parseLabelsSpec } from '../../src/pipeline/labels.js';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected the configuration to be refused');
}

test('finetune defaults: paper settings (LARS, lr 0.005 sqrt-scaled, no decay, 10% labels), frozen config', () => {
  const c = validateFinetuneConfig({ data: 'fashion-mnist', from: 'runs/pretrain', epochs: 30 });
  assert.equal(c.optimizer, 'lars');
  assert.equal(c.learningRate, 0.005);
  assert.equal(c.lrScaling, 'sqrt');
  assert.equal(c.weightDecay, 0);
  assert.equal(c.headWeightDecay, false);
  assert.equal(c.labels, '10%');
  assert.equal(c.ftProjSelector, undefined); // resolved to 1 with a checkpoint, 0 from scratch
  assert.equal(c.fineTuneAfterBlock, -1);
  assert.ok(Object.isFrozen(c));
  const preset = resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, steps: 3, labels: undefined } });
  assert.equal(preset.steps, 3);
  assert.equal(preset.trainLimit, 256);
  assert.equal(preset.depth, 18);
});

test('finetune: from and a from-scratch architecture conflict; neither is refused; every problem is listed', () => {
  assert.deepEqual(problems(() => validateFinetuneConfig({ data: 'fashion-mnist', from: 'ckpt', depth: 18, widthMultiplier: 0.5, steps: 1 })), [
    "depth: the architecture comes from the checkpoint 'ckpt'; depth applies only to a model built from scratch (no 'from')",
    "widthMultiplier: the architecture comes from the checkpoint 'ckpt'; widthMultiplier applies only to a model built from scratch (no 'from')",
  ]);
  assert.deepEqual(problems(() => validateFinetuneConfig({ data: 'fashion-mnist', steps: 1 })), [
    "from: give 'from' (a pretraining checkpoint) or 'depth' (a supervised baseline from scratch)",
  ]);
  const many = problems(() => validateFinetuneConfig({ from: 'ckpt', labels: '10', learningrate: 0.1, fineTuneAfterBlock: 5, optimizer: 'adam' }));
  assert.ok(many.some((p) => /^data: data is required/.test(p)), many.join('\n'));
  assert.ok(many.includes("unknown key 'learningrate' (did you mean 'learningRate'?)"), many.join('\n'));
  assert.ok(many.some((p) => /^fineTuneAfterBlock: /.test(p)), many.join('\n'));
  assert.ok(many.some((p) => /^optimizer: /.test(p)), many.join('\n'));
  assert.ok(problems(() => validateFinetuneConfig({ data: 'x', from: 'c', steps: 1, labels: '10' })).some((p) => /^labels: label subset '10': expected 'P%'/.test(p)));
  assert.ok(problems(() => validateFinetuneConfig({ data: 'x', from: 'c' })).includes('epochs: give epochs or steps'));
  assert.throws(() => resolveFinetuneConfig({ preset: 'huge' }), /unknown finetune preset 'huge' \(known: tiny, imagenet\)/);
  // Every key is a flat value the CLI can turn into a flag.
  assert.ok(Object.keys(finetuneSchema.shape).includes('zeroInitLogitsLayer'));
});

test('distill: teacher required, alpha > 0 needs labels, studentFrom excludes architecture keys; defaults tau 1, alpha 0', () => {
  const c = validateDistillConfig({ data: 'fashion-mnist', teacher: 'runs/ft', steps: 10 });
  assert.equal(c.temperature, 1);
  assert.equal(c.scaleByTemperatureSquared, false);
  assert.equal(c.alpha, 0);
  assert.equal(c.teacherCheckpoint, 'last');
  assert.ok(problems(() => validateDistillConfig({ data: 'fashion-mnist', steps: 1 })).some((p) => /^teacher: teacher is required/.test(p)));
  assert.deepEqual(problems(() => validateDistillConfig({ data: 'd', teacher: 't', steps: 1, alpha: 0.5 })), [
    'labels: alpha > 0 adds a supervised loss: give the labelled subset (labels)',
  ]);
  assert.deepEqual(problems(() => validateDistillConfig({ data: 'd', teacher: 't', steps: 1, studentFrom: 'p', depth: 18 })), [
    "depth: the student's architecture comes from studentFrom 'p'; remove depth",
  ]);
  assert.ok(problems(() => validateDistillConfig({ data: 'd', teacher: 't', steps: 1, temperature: 0 })).some((p) => /^temperature: /.test(p)));
  assert.equal(resolveDistillConfig({ preset: 'tiny', overrides: { teacher: 't', widthMultiplier: 0.5 } }).widthMultiplier, 0.5);
});

test("labels: '1%', 'N-per-class', 'file:PATH' and a bare PATH; malformed percentages are refused", () => {
  assert.deepEqual(parseLabelsSpec('1%'), { kind: 'fraction', fraction: 0.01 });
  assert.deepEqual(parseLabelsSpec(' 60-per-class '), { kind: 'perClass', count: 60 });
  assert.deepEqual(parseLabelsSpec('file:lists/1pct.txt'), { kind: 'file', path: 'lists/1pct.txt' });
  assert.deepEqual(parseLabelsSpec('lists/1pct.txt'), { kind: 'file', path: 'lists/1pct.txt' });
  assert.throws(() => parseLabelsSpec('0%'), /percentage must be in \(0, 100\]/);
  assert.throws(() => parseLabelsSpec('0-per-class'), /at least 1 per class/);
  assert.throws(() => parseLabelsSpec('12'), /expected 'P%'/);
});
