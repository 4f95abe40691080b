// The stages' optimiser options: nesterov reaches SGD's groups (and only SGD takes it); the supervised augmentation
// option selects pad-and-crop; inconsistent options are refused when the config is validated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { resolveDistillConfig } from '../../src/pipeline/config/distill_config.js';
import { buildOptimizer } from '../../src/pipeline/run/optimizers.js';
import { supervisedTransform } from '../../src/pipeline/stages/stage_setup.js';
import { Parameter } from '../../src/nn/parameter.js';
import { SGD } from '../../src/optim/index.js';
import { Generator, liveTensors, tensor, tidy, zeros } from '../../src/tensor/index.js';

test('nesterov reaches every SGD group and is refused for LARS and AdamW', () => {
  const params = [new Parameter(zeros([3])), new Parameter(zeros([2]), { weightDecay: false })];
  const sgd = buildOptimizer(params, { kind: 'sgd', lr: 0.1, weightDecay: 5e-4, momentum: 0.9, nesterov: true });
  const nesterov = (o: typeof sgd) => (o as unknown as SGD).paramGroups.map((g) => g.nesterov);
  assert.ok(sgd instanceof SGD);
  assert.deepEqual(nesterov(sgd), [true, true]);
  assert.deepEqual(sgd.paramGroups.map((g) => g.weightDecay), [5e-4, 0]);
  const plain = buildOptimizer(params, { kind: 'sgd', lr: 0.1, weightDecay: 0, momentum: 0.9 });
  assert.deepEqual(nesterov(plain), [false, false]);
  assert.throws(() => buildOptimizer(params, { kind: 'lars', lr: 0.1, weightDecay: 0, momentum: 0.9, nesterov: true }), /nesterov applies to optimizer 'sgd' only, got 'lars'/);
  for (const o of [sgd, plain]) o.dispose();
  for (const p of params) p.dispose();
});

test('finetune and distill configs take nesterov, augment and padding; inconsistent ones are refused', () => {
  const c = resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, optimizer: 'sgd', nesterov: true, augment: 'padCrop', padding: 4, valSplit: 10 } });
  assert.deepEqual([c.nesterov, c.augment, c.padding, c.valSplit], [true, 'padCrop', 4, 10]);
  const d = resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18 } });
  assert.deepEqual([d.nesterov, d.augment, d.padding, d.valSplit], [undefined, undefined, undefined, undefined], 'absent keys keep earlier config.json files resumable');
  assert.throws(() => resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, optimizer: 'lars', nesterov: true } }), /nesterov needs optimizer 'sgd' with momentum > 0/);
  assert.throws(() => resolveDistillConfig({ preset: 'tiny', overrides: { teacher: 'x', padding: 2 } }), /padding applies to augment 'padCrop' only/);
  assert.throws(() => resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, augment: 'shift' } }), /augment/);
});

test("augment 'padCrop' keeps the image size and moves content by whole pixels; the default is the resized crop", () => {
  const before = liveTensors();
  const x = tensor(Uint8Array.from({ length: 2 * 28 * 28 }, (_, k) => 1 + (k % 200)), [2, 1, 28, 28]);
  const padded = tidy(() => supervisedTransform({ augment: 'padCrop', padding: 4, cropMinArea: 0.08 })(x, new Generator(1)).toFlatArray());
  const values = new Set(Array.from(x.toFlatArray(), (v) => Math.round(v)));
  assert.equal(padded.length, 2 * 28 * 28);
  // Every output pixel is a zero from the padding or exactly one of the input's values / 255.
  assert.ok(padded.every((v) => v === 0 || values.has(Math.round(v * 255))) && padded.some((v) => v === 0));
  const resized = tidy(() => supervisedTransform({ cropMinArea: 0.08 })(x, new Generator(1)).toFlatArray());
  assert.ok(resized.some((v) => !values.has(Math.round(v * 255)) && v !== 0), 'bicubic resampling makes new values');
  x.dispose();
  assert.equal(liveTensors(), before);
});
