// Fine-tune and distill configurations: defaults, presets, and one clear message per problem (conflicting architecture
// keys, missing length, bad label specs, misspelt keys, absurd bounds); epochs/steps layering; the labels option's forms.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { ConfigError } from '../../src/pipeline/config/config_errors.js';
import { resolveDistillConfig, validateDistillConfig } from '../../src/pipeline/config/distill_config.js';
import { finetuneSchema, resolveFinetuneConfig, validateFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { parseLabelsSpec } from '../../src/pipeline/stages/labels.js';
import { resolvePretrainConfig, validatePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { MAX_EPOCHS, MAX_STEPS, mergeLayers } from '../../src/pipeline/config/stage_config.js';
import { optimizerAndSchedule } from '../../src/pipeline/stages/stage_setup.js';
import type { DataLoader } from '../../src/data/loader.js';
import { buildModel } from '../../src/models/simclr_model.js';
import { manualSeed } from '../../src/tensor/index.js';
import { tempDir } from './helpers.js';

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
  assert.ok(problems(() => validateFinetuneConfig({ data: 'fashion-mnist', from: 'c', steps: 1, labels: '10' })).some((p) => /^labels: label subset '10': expected 'P%'/.test(p)));
  assert.ok(problems(() => validateFinetuneConfig({ data: 'fashion-mnist', from: 'c' })).includes('epochs: give epochs or steps'));
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
  assert.deepEqual(problems(() => validateDistillConfig({ data: 'fashion-mnist', teacher: 't', steps: 1, alpha: 0.5 })), [
    'labels: alpha > 0 adds a supervised loss: give the labelled subset (labels)',
  ]);
  assert.deepEqual(problems(() => validateDistillConfig({ data: 'fashion-mnist', teacher: 't', steps: 1, studentFrom: 'p', depth: 18 })), [
    "depth: the student's architecture comes from studentFrom 'p'; remove depth",
  ]);
  assert.ok(problems(() => validateDistillConfig({ data: 'fashion-mnist', teacher: 't', steps: 1, temperature: 0 })).some((p) => /^temperature: /.test(p)));
  assert.deepEqual(problems(() => validateDistillConfig({ data: 'fashion-mnist', teacher: 't', steps: 1, labelledBatchSize: 64 })), [
    'labelledBatchSize: labelledBatchSize applies to the supervised term: set alpha > 0 too',
  ]);
  assert.ok(problems(() => validateDistillConfig({ data: 'fashion-mnist', teacher: 't', steps: 1, alpha: 1, labels: '1%', labelledBatchSize: 1 }))
    .some((p) => p === 'labelledBatchSize: labelledBatchSize must be at least 2 (batch norm needs a batch)'));
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

test('epochs and steps: a higher layer giving one drops the other from below; one layer giving both is refused by name', () => {
  // The tiny preset sets steps: an explicit epochs (flag or file) wins, and config.json then records epochs alone.
  const flag = resolveFinetuneConfig({ preset: 'tiny', overrides: { depth: 18, epochs: 3 } });
  assert.deepEqual([flag.epochs, flag.steps], [3, undefined]);
  const pre = resolvePretrainConfig({ preset: 'fashion-mnist-cpu', overrides: { steps: 5 } });
  assert.deepEqual([pre.epochs, pre.steps], [undefined, 5]);
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ epochs: 2 }));
    const fromFile = resolveDistillConfig({ preset: 'tiny', file, overrides: { teacher: 't' } });
    assert.deepEqual([fromFile.epochs, fromFile.steps], [2, undefined]);
    const flagOverFile = resolveDistillConfig({ preset: 'tiny', file, overrides: { teacher: 't', steps: 9 } });
    assert.deepEqual([flagOverFile.epochs, flagOverFile.steps], [undefined, 9]);
    writeFileSync(file, JSON.stringify({ epochs: 2, steps: 4 }));
    assert.throws(() => resolveDistillConfig({ file, overrides: { teacher: 't' } }), (e: unknown) =>
      e instanceof ConfigError && e.message.includes(file) && /epochs and steps are both given/.test(e.message));
  } finally {
    cleanup();
  }
  assert.throws(() => resolvePretrainConfig({ preset: 'tiny', overrides: { epochs: 1, steps: 2 } }), /\(flags\)[\s\S]*epochs and steps are both given/);
  assert.deepEqual(mergeLayers([['a', { steps: 1, x: 1 }], ['b', { epochs: 2 }], ['c', { x: 3 }]]), { x: 3, epochs: 2 });
});

test('bounds: absurd lengths, depths, data strings and thread counts are refused naming the key and the limit', () => {
  const base = { data: 'fashion-mnist', from: 'c' };
  assert.ok(problems(() => validateFinetuneConfig({ ...base, epochs: 1e12 })).includes(`epochs: must be <= ${MAX_EPOCHS} (longer runs are refused as typos)`));
  assert.ok(problems(() => validateFinetuneConfig({ ...base, steps: MAX_STEPS + 1 })).some((p) => p.startsWith(`steps: must be <= ${MAX_STEPS}`)));
  assert.ok(problems(() => validatePretrainConfig({ data: 'fashion-mnist', steps: 1, depth: 17 })).includes('depth: must be one of 18, 34, 50, 101, 152, 200'));
  assert.ok(problems(() => validatePretrainConfig({ data: 'fashoin-mnist', steps: 1 })).some((p) => /^data: data 'fashoin-mnist': unknown kind/.test(p)));
  assert.ok(problems(() => validatePretrainConfig({ data: 'fashion-mnist', steps: 1, threads: 5000 })).includes('threads: must be <= 1024'));
  assert.equal(validatePretrainConfig({ data: 'fashion-mnist', epochs: MAX_EPOCHS }).epochs, MAX_EPOCHS);
});

test('epochs x batches per epoch beyond MAX_STEPS is refused before anything is allocated; a long legal run builds at once', () => {
  manualSeed(0);
  const model = buildModel({ depth: 18, widthMultiplier: 0.125, imageSize: 8, inChannels: 1 });
  try {
    const loader = { batchesPerEpoch: 5000, batchSize: 2 } as DataLoader;
    const c = { warmupEpochs: 1, lrScaling: 'none', learningRate: 0.1, optimizer: 'sgd', weightDecay: 0, momentum: 0.9 } as const;
    assert.throws(() => optimizerAndSchedule(model, { ...c, epochs: MAX_EPOCHS }, loader), /epochs 1000000 x 5000 batches per epoch = 5000000000 steps, more than the 1000000000 allowed/);
    const start = performance.now();
    const s = optimizerAndSchedule(model, { ...c, epochs: 200_000 }, loader); // 1e9 steps: the schedule is a formula, no table
    assert.equal(s.totalSteps, MAX_STEPS);
    assert.ok(s.schedule(MAX_STEPS - 1) >= 0 && performance.now() - start < 2000);
    s.optimizer.dispose();
  } finally {
    model.dispose();
  }
});
