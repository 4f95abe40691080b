// Fine-tuning stage: the classifier keeps projection layers 1..k of the pretraining checkpoint (values compared), the
// supervised baseline takes the same code path and the same labels file, and a resumed run equals an uninterrupted one.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { finetune, setupFinetune } from '../../src/pipeline/stages/finetune.js';
import { resolveFinetuneConfig, type FinetuneConfigInput } from '../../src/pipeline/config/finetune_config.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { StopSignal } from '../../src/pipeline/run/stop_signal.js';
import type { StageEvent } from '../../src/pipeline/run/events.js';
import { liveTensors } from '../../src/tensor/index.js';
import { checkpointValues, maxAbsDiff, readJson, stepLosses, tempDir, valuesOf, writePretrainCheckpoint } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-finetune-');
after(cleanup);
const pretrained = writePretrainCheckpoint(join(dir, 'pretrain'));

const tiny = (overrides: Partial<FinetuneConfigInput>) => resolveFinetuneConfig({ preset: 'tiny', overrides: { evalLimit: 32, ...overrides } });

test('fine-tuning from projection layer k keeps the encoder and layers 1..k of the checkpoint, value for value', async () => {
  const saved = checkpointValues(pretrained);
  for (const k of [0, 1, 2]) {
    const s = await setupFinetune(tiny({ from: pretrained, ftProjSelector: k }), RunFolder.open(join(dir, `setup-${k}`)));
    try {
      const own = valuesOf(s.model.stateDict());
      const layer = (name: string) => Number(/^projection_head\.(\d+)\./.exec(name)?.[1] ?? -1);
      for (const [name, values] of saved) {
        if (name.startsWith('supervised_head.')) continue; // the online linear head is replaced
        if (name.startsWith('projection_head.') && layer(name) >= k) {
          assert.ok(!own.has(name), `k=${k}: ${name} should be cut`);
          continue;
        }
        assert.deepEqual(own.get(name), values, `k=${k}: ${name} differs from the checkpoint`);
      }
      assert.equal(s.model.projectionHead.layers.length, k);
      assert.equal(s.model.description.projHead.keepLayers, k);
      const width = k === 0 ? s.model.projectionHead.options.inFeatures : s.model.projectionHead.layers[k - 1].shape.outFeatures;
      assert.deepEqual(s.model.supervisedHead!.weight.shape, [10, width]);
      assert.ok(s.model.supervisedHead!.parameters().every((p) => !p.weightDecay && !p.larsAdapt), 'the head is excluded from decay and LARS');
    } finally {
      s.model.dispose();
      s.optimizer.dispose();
    }
  }
});

test('the supervised baseline (no from) and the SimCLR fine-tune write the same labels file; another seed draws another', async () => {
  const before = liveTensors();
  const simclr = await finetune(tiny({ from: pretrained, steps: 2 }), { out: join(dir, 'simclr') });
  const baseline = await finetune(tiny({ depth: 18, widthMultiplier: 0.125, steps: 2 }), { out: join(dir, 'baseline') });
  assert.equal(liveTensors(), before, 'a stage run leaves no tensor alive');
  const fileA = readFileSync(join(dir, 'simclr', 'labels.txt'), 'utf8');
  assert.equal(readFileSync(join(dir, 'baseline', 'labels.txt'), 'utf8'), fileA);
  assert.equal(simclr.labels_sha256, baseline.labels_sha256);
  assert.equal(simclr.labelled_images, 27); // round(10% of each class of the first 256 images), at least 1 per class
  assert.equal(fileA.split('\n').filter((l) => /^\d+$/.test(l)).length, 27);
  assert.equal(simclr.init, 'simclr');
  assert.equal(baseline.init, 'supervised');
  for (const s of [simclr, baseline]) {
    assert.ok(s.top1! >= 0 && s.top1! <= 1 && s.top5! >= s.top1!, `top1 ${s.top1}, top5 ${s.top5}`);
    assert.equal(s.steps, 2);
    assert.equal(s.eval_images, 32);
    assert.ok(existsSync(s.checkpoint));
    assert.equal(s.best_checkpoint, null, 'no validation split: no best checkpoint (never chosen on the test split)');
    assert.ok(s.images_per_s > 0);
  }
  const onDisk = readJson(join(dir, 'simclr', 'summary.json'));
  assert.equal(onDisk.labels_sha256, simclr.labels_sha256);
  const other = await setupFinetune(tiny({ depth: 18, widthMultiplier: 0.125, labelSeed: 1 }), RunFolder.open(join(dir, 'seed1')));
  other.model.dispose();
  other.optimizer.dispose();
  assert.notEqual(readFileSync(join(dir, 'seed1', 'labels.txt'), 'utf8'), fileA);
});

test('a run stopped after k steps and resumed equals an uninterrupted 2k-step run (weights and losses)', async () => {
  const config = tiny({ from: pretrained, steps: 6, checkpointEvery: 3, evalEvery: 2, optimizer: 'lars', weightDecay: 1e-4, learningRate: 0.1 });
  const whole = await finetune(config, { out: join(dir, 'whole') });
  const stop = new StopSignal();
  const stopAt3 = (e: StageEvent) => {
    if (e.type === 'step' && e.step === 3) stop.request('test');
  };
  const first = await finetune(config, { out: join(dir, 'halves'), stop, onEvent: stopAt3 });
  assert.equal(first.interrupted, true);
  assert.equal(first.steps, 3);
  const events: StageEvent[] = [];
  const second = await finetune(config, { out: join(dir, 'halves'), resume: true, onEvent: (e) => events.push(e) });
  assert.ok(events.some((e) => e.type === 'info' && /resumed from .*step-0000003\.json at step 3/.test(e.message)));
  assert.deepEqual(events.filter((e) => e.type === 'start').map((e) => e.type === 'start' && [e.step, e.totalSteps]), [[3, 6]]);
  assert.equal(second.steps, 6);
  assert.equal(second.interrupted, false);
  const [a, b] = [checkpointValues(whole.checkpoint), checkpointValues(second.checkpoint)];
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [name, values] of a) assert.ok(maxAbsDiff(values, b.get(name)!) <= 1e-5, `${name} differs after resume`);
  const [la, lb] = [stepLosses(join(dir, 'whole')), stepLosses(join(dir, 'halves'))];
  assert.deepEqual(lb.map(([step]) => step), [1, 2, 3, 4, 5, 6]);
  assert.ok(maxAbsDiff(la.map(([, l]) => l), lb.map(([, l]) => l)) <= 1e-5, `losses ${la} vs ${lb}`);
  assert.equal(second.top1, whole.top1);
  assert.throws(() => RunFolder.open(join(dir, 'whole')), /already holds a run/);
  await assert.rejects(finetune({ ...config, learningRate: 0.2 }, { out: join(dir, 'halves'), resume: true }), /'learningRate' is 0\.2 but the run .* used 0\.1/);
});

test('labels from a file give the same subset; a batch larger than the subset shrinks to it (with a notice)', async () => {
  const drawnSetup = await setupFinetune(tiny({ depth: 18, widthMultiplier: 0.125 }), RunFolder.open(join(dir, 'drawn')));
  drawnSetup.model.dispose();
  drawnSetup.optimizer.dispose();
  const listed = join(dir, 'drawn', 'labels.txt');
  const events: StageEvent[] = [];
  const s = await setupFinetune(tiny({ depth: 18, widthMultiplier: 0.125, labels: listed, batchSize: 64 }), RunFolder.open(join(dir, 'from-file')), (e) => events.push(e));
  try {
    const drawn = readFileSync(listed, 'utf8').split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    assert.deepEqual(Array.from(s.labels.indices), drawn);
    assert.equal(s.loader.batchSize, 27);
    assert.ok(events.some((e) => e.type === 'info' && e.message === 'batch size 64 is more than the 27 training images: using 27'));
    assert.match(readFileSync(join(dir, 'from-file', 'labels.txt'), 'utf8'), /# file:.*drawn\/labels\.txt \(27 images of fashion-mnist\/train\[subset 256\]\)/);
  } finally {
    s.model.dispose();
    s.optimizer.dispose();
  }
  await assert.rejects(setupFinetune(tiny({ from: pretrained, ftProjSelector: 4 }), RunFolder.open(join(dir, 'bad-selector'))), /ftProjSelector 4: checkpoint .* has 3 projection layer\(s\)/);
  await assert.rejects(setupFinetune(tiny({ from: join(dir, 'missing') }), RunFolder.open(join(dir, 'bad-from'))), /checkpoint not found: .*missing/);
});

test('periodic evaluation uses the validation split (outside the labelled subset); the test split is scored once, at the end', async () => {
  const config = tiny({ depth: 18, widthMultiplier: 0.125, steps: 4, evalEvery: 1, valSplit: 20, augment: 'padCrop', padding: 2, optimizer: 'sgd', nesterov: true });
  const s = await finetune(config, { out: join(dir, 'validated') });
  const records = readFileSync(join(dir, 'validated', 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  // 27 labelled images, batch 16: one batch per epoch, so validation after every step.
  assert.deepEqual(records.filter((r) => 'val_top1' in r).map((r) => r.step), [1, 2, 3, 4]);
  assert.deepEqual(records.filter((r) => 'test_top1' in r).map((r) => r.step), [4]);
  assert.equal(s.val_images, 20);
  assert.equal(s.val_top1, records.find((r) => r.step === 4 && 'val_top1' in r).val_top1);
  assert.equal(s.best_val_top1, Math.max(...records.filter((r) => 'val_top1' in r).map((r) => r.val_top1)));
  assert.ok(s.best_checkpoint && existsSync(s.best_checkpoint));
  assert.equal(s.top1, records.find((r) => 'test_top1' in r).test_top1);
  await assert.rejects(finetune(tiny({ depth: 18, widthMultiplier: 0.125, steps: 1, valSplit: 300 }), { out: join(dir, 'too-many') }), /valSplit 300: only 229 training images lie outside the labelled subset/);
});
