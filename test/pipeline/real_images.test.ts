// Real image files (every format and mode of test/data/image_zoo.ts, odd sizes) through the folder data path into
// pretraining, fine-tuning and distillation steps at 224 px. Regression test for issue 12: channels-last strided 1x1
// shortcut convolutions with fewer channels than oneDNN's channel block corrupted the heap in the weight gradient.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { distill } from '../../src/pipeline/stages/distill.js';
import { resolveDistillConfig } from '../../src/pipeline/config/distill_config.js';
import { finetune } from '../../src/pipeline/stages/finetune.js';
import { resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { pretrain } from '../../src/pipeline/stages/pretrain.js';
import { resolvePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { IMAGE_KINDS, writeImageZoo } from '../data/image_zoo.js';
import { readJson, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-photos-');
after(cleanup);
const photos = join(dir, 'photos');
before(async () => {
  await writeImageZoo(photos, ['cats', 'dogs'], 1);
});

// Width 1/16: 4 channels enter the first strided shortcut, below oneDNN's block on AVX2 (8) and AVX-512 (16).
const shared = { data: `folder:${photos}`, threads: 1, batchSize: 8, evalLimit: 8 };

test('pretraining, fine-tuning and distillation train on decoded photos at 224 px', async () => {
  const pre = join(dir, 'pre');
  const pretrained = await pretrain(resolvePretrainConfig({
    preset: 'tiny',
    overrides: { ...shared, widthMultiplier: 0.0625, steps: 3, checkpointEvery: 3, knnTrainLimit: 16, knnK: 4, linearEval: true },
  }), { out: pre });
  assert.equal(pretrained.steps, 3);
  assert.ok(Number.isFinite(pretrained.loss), `pretraining loss ${pretrained.loss}`);
  assert.equal(readJson(join(pre, 'config.json')).viewSize, undefined, 'views are rendered at the folder size (224)');

  const ft = join(dir, 'ft');
  const tuned = await finetune(resolveFinetuneConfig({ preset: 'tiny', overrides: { ...shared, from: pre, labels: '4-per-class', steps: 3 } }), { out: ft });
  assert.ok(Number.isFinite(tuned.loss as number), `fine-tuning loss ${tuned.loss}`);

  const student = await distill(resolveDistillConfig({ preset: 'tiny', overrides: { ...shared, teacher: ft, steps: 3 } }), { out: join(dir, 'student') });
  assert.ok(Number.isFinite(student.loss as number), `distillation loss ${student.loss}`);
  assert.equal(IMAGE_KINDS.length * 2, 18);
});
