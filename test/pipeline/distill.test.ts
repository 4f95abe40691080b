// Distillation stage: the teacher is frozen (no gradient, batch-norm statistics fixed) while the student learns; student
// architectures (self, narrower, from a pretraining checkpoint); exact resume with the supervised term on.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { distill, distillStep, setupDistill, type DistillSetup } from '../../src/pipeline/stages/distill.js';
import { resolveDistillConfig, type DistillConfigInput } from '../../src/pipeline/config/distill_config.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { validationIndices } from '../../src/pipeline/config/validation_split.js';
import { StopSignal } from '../../src/pipeline/run/stop_signal.js';
import type { StageEvent } from '../../src/pipeline/run/events.js';
import { dispose, liveTensors } from '../../src/tensor/index.js';
import { checkpointValues, maxAbsDiff, stepLosses, tempDir, valuesOf, writeFinetuneCheckpoint, writePretrainCheckpoint } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-distill-');
after(cleanup);
const pretrained = writePretrainCheckpoint(join(dir, 'pretrain'));
const teacher = writeFinetuneCheckpoint(join(dir, 'teacher'), pretrained);

const tiny = (overrides: Partial<DistillConfigInput>) => resolveDistillConfig({ preset: 'tiny', overrides: { teacher, evalLimit: 32, ...overrides } });

function release(s: DistillSetup): void {
  s.student.dispose();
  s.teacher.dispose();
  s.optimizer.dispose();
}

test('the teacher gets no gradient and its batch-norm statistics do not move; the student learns', async () => {
  const config = tiny({ alpha: 0.5, labels: '10%' });
  const s = await setupDistill(config, RunFolder.open(join(dir, 'frozen')));
  try {
    const teacherBefore = valuesOf(s.teacher.stateDict());
    const studentBefore = valuesOf(s.student.stateDict());
    for (const lr of [0.05, 0.05]) dispose(distillStep(s, config, lr).scalars);
    assert.equal(s.teacher.training, false);
    for (const [name, p] of s.teacher.namedParameters()) {
      assert.equal(p.requiresGrad, false, `teacher ${name} records gradients`);
      assert.equal(p.grad, null, `teacher ${name} received a gradient`);
    }
    assert.deepEqual(valuesOf(s.teacher.stateDict()), teacherBefore, 'teacher weights or BN statistics moved');
    const after = valuesOf(s.student.stateDict());
    assert.ok(after.get('encoder.conv1.weight')!.some((v, i) => v !== studentBefore.get('encoder.conv1.weight')![i]), 'student weights did not move');
    assert.notDeepEqual(after.get('encoder.bn1.running_mean'), studentBefore.get('encoder.bn1.running_mean'), 'student BN statistics did not move');
  } finally {
    release(s);
  }
});

test('students: same architecture by default, narrower with widthMultiplier, initialised from a pretraining checkpoint with studentFrom', async () => {
  const self = await setupDistill(tiny({}), RunFolder.open(join(dir, 'self')));
  try {
    assert.deepEqual(self.student.description, self.teacher.description);
    const [a, b] = [valuesOf(self.student.stateDict()), valuesOf(self.teacher.stateDict())];
    assert.notDeepEqual(a.get('encoder.conv1.weight'), b.get('encoder.conv1.weight'), 'a self-distilled student starts from random weights');
  } finally {
    release(self);
  }
  const narrow = await setupDistill(tiny({ widthMultiplier: 0.0625 }), RunFolder.open(join(dir, 'narrow')));
  try {
    assert.equal(narrow.student.description.widthMultiplier, 0.0625);
    assert.equal(narrow.student.description.depth, narrow.teacher.description.depth);
    assert.ok(narrow.student.numParameters() < narrow.teacher.numParameters() / 2);
  } finally {
    release(narrow);
  }
  const fromPretrained = await setupDistill(tiny({ studentFrom: pretrained, ftProjSelector: 1 }), RunFolder.open(join(dir, 'from')));
  try {
    const saved = checkpointValues(pretrained);
    for (const [name, values] of valuesOf(fromPretrained.student.stateDict())) {
      if (!name.startsWith('supervised_head.')) assert.deepEqual(values, saved.get(name), `${name} not taken from studentFrom`);
    }
  } finally {
    release(fromPretrained);
  }
});

test('fineTuneAfterBlock keeps the pretrained stem of a student from studentFrom as it was; a random student may not freeze', async () => {
  const config = tiny({ studentFrom: pretrained, ftProjSelector: 1, fineTuneAfterBlock: 0 });
  const s = await setupDistill(config, RunFolder.open(join(dir, 'stem-frozen')));
  try {
    const before = valuesOf(s.student.stateDict());
    for (const lr of [0.05, 0.05]) dispose(distillStep(s, config, lr).scalars);
    const after = valuesOf(s.student.stateDict());
    for (const name of ['encoder.conv1.weight', 'encoder.bn1.weight', 'encoder.bn1.running_mean', 'encoder.bn1.running_var']) {
      assert.deepEqual(after.get(name), before.get(name), `${name} moved though the stem is frozen`);
    }
    const moved = [...after.keys()].filter((name) => name.startsWith('encoder.layer1.') && after.get(name)!.some((v, i) => v !== before.get(name)![i]));
    assert.ok(moved.length > 0, 'block 1 did not learn');
  } finally {
    release(s);
  }
  assert.throws(() => tiny({ fineTuneAfterBlock: 0 }), /fineTuneAfterBlock: freezing blocks keeps pretrained weights: give studentFrom/);
});

test('distillation stopped after k steps and resumed equals 2k uninterrupted steps; the summary reports student and teacher', async () => {
  const config = tiny({ steps: 6, checkpointEvery: 3, evalEvery: 0, widthMultiplier: 0.0625, alpha: 0.5, labels: '10%', temperature: 2, scaleByTemperatureSquared: true });
  const before = liveTensors();
  const whole = await distill(config, { out: join(dir, 'whole') });
  assert.equal(liveTensors(), before, 'a distillation run leaves no tensor alive');
  const stop = new StopSignal();
  const stopAt3 = (e: StageEvent) => {
    if (e.type === 'step' && e.step === 3) stop.request('test');
  };
  const first = await distill(config, { out: join(dir, 'halves'), stop, onEvent: stopAt3 });
  assert.equal(first.interrupted, true);
  const second = await distill(config, { out: join(dir, 'halves'), resume: true });
  const [a, b] = [checkpointValues(whole.checkpoint), checkpointValues(second.checkpoint)];
  for (const [name, values] of a) assert.ok(maxAbsDiff(values, b.get(name)!) <= 1e-5, `${name} differs after resume`);
  const [la, lb] = [stepLosses(join(dir, 'whole')), stepLosses(join(dir, 'halves'))];
  assert.deepEqual(lb.map(([step]) => step), [1, 2, 3, 4, 5, 6]);
  assert.ok(maxAbsDiff(la.map(([, l]) => l), lb.map(([, l]) => l)) <= 1e-5, `losses ${la} vs ${lb}`);
  assert.equal(whole.student_kind, 'smaller');
  assert.equal(whole.unlabeled_images, 256);
  assert.equal(whole.teacher_top1, second.teacher_top1, 'the teacher accuracy is carried through the resume');
  for (const v of [whole.top1, whole.top5, whole.teacher_top1, whole.teacher_top5]) assert.ok(v !== null && v >= 0 && v <= 1);
  assert.equal(whole.eval_images, 32);
});

test('run-time errors name the problem: a pretraining checkpoint as teacher, a projection layer the student lacks', async () => {
  await assert.rejects(setupDistill(tiny({ teacher: pretrained.replace(/\.json$/, '.safetensors') }), RunFolder.open(join(dir, 'bad1'))),
    /teacher .*step-0000000\.json is a pretrain checkpoint: distill from a fine-tuned checkpoint/);
  await assert.rejects(setupDistill(tiny({ studentFrom: pretrained, ftProjSelector: 5 }), RunFolder.open(join(dir, 'bad2'))), /ftProjSelector 5: checkpoint .* has 3 projection layer\(s\)/);
});

test('the supervised term draws its own batch size of labelled images per step (labelledBatchSize, default batchSize)', async () => {
  const config = tiny({ alpha: 0.5, labels: '10%', labelledBatchSize: 4 });
  const s = await setupDistill(config, RunFolder.open(join(dir, 'labelled-batch')));
  try {
    assert.equal(s.loader.batchSize, 16);
    assert.equal(s.labelledLoader!.batchSize, 4);
    const labelled = new Set(s.labels!.indices);
    const step = distillStep(s, config, 0.05);
    assert.equal(step.images, 16 + 4, 'a step trains on the unlabelled batch and the labelled one');
    dispose(step.scalars);
    const batch = s.labelledLoader!.next();
    assert.ok(batch.indices.every((i) => labelled.has(i)), 'the labelled batch comes from the labelled subset only');
    dispose([batch.x, batch.labels]);
  } finally {
    release(s);
  }
  const plain = await setupDistill(tiny({ alpha: 0.5, labels: '10%' }), RunFolder.open(join(dir, 'labelled-batch-default')));
  try {
    assert.equal(plain.labelledLoader!.batchSize, plain.loader.batchSize);
  } finally {
    release(plain);
  }
});

test('a validation split is held out of the unlabelled images and outside the labelled subset; the test split is scored once', async () => {
  const s = await setupDistill(tiny({ labels: '10%', valSplit: 40 }), RunFolder.open(join(dir, 'validation-setup')));
  try {
    const labelled = new Set(s.labels!.indices);
    assert.equal(s.validation!.length, 40);
    assert.equal(s.labelledLoader, null, 'alpha 0: the subset only bounds the validation split');
    const trained = new Set<number>();
    for (let b = 0; b < s.loader.batchesPerEpoch; b++) {
      const batch = s.loader.next();
      for (const i of batch.indices) trained.add(i);
      dispose([batch.x, batch.labels]);
    }
    assert.equal(trained.size, 216 - (216 % 16), 'one epoch covers every image but the validation split (drop-last aside)');
    assert.match(s.validation!.name, /\[validation 40\]$/);
    const held = validationIndices(256, 40, { exclude: s.labels!.indices, seed: 0 });
    assert.ok(held.every((i) => !labelled.has(i) && !trained.has(i)), 'validation images are neither labelled nor distilled on');
  } finally {
    release(s);
  }
  const summary = await distill(tiny({ labels: '10%', valSplit: 40, steps: 2, evalEvery: 1 }), { out: join(dir, 'validated') });
  assert.equal(summary.val_images, 40);
  assert.equal(summary.unlabeled_images, 216);
  assert.equal(typeof summary.val_top1, 'number');
  assert.equal(typeof summary.top1, 'number');
});
