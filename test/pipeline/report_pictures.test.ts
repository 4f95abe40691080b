// The pipeline's report pictures from checkpoints and the run's data: five PNGs that decode, the confusion matrix from the
// classifier's own predictions with the fixed rule in its caption, and a picture that fails becomes a line, not a lost report.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { loadDataSpec } from '../../src/data/spec.js';
import { firstN } from '../../src/data/dataset.js';
import { predict } from '../../src/pipeline/stages/predict.js';
import { confusionChoice, largestFraction, reportPictures, type ReportPicturesOptions } from '../../src/pipeline/stages/report_pictures.js';
import { writeReport } from '../../src/report/report.js';
import { liveTensors, tidy } from '../../src/tensor/index.js';
import { syntheticReportInput, syntheticResults } from '../report/synthetic.js';
import { tempDir, writeFinetuneCheckpoint, writePretrainCheckpoint } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-report-pictures-');
let options: ReportPicturesOptions;

before(() => {
  const pretrain = writePretrainCheckpoint(join(dir, 'pretrain'));
  writeFinetuneCheckpoint(join(dir, 'finetune'), pretrain);
  const choice = confusionChoice(['1%', '10%'], [3, 1], 'Fine-tuned');
  options = {
    outDir: join(dir, 'report'), data: 'fashion-mnist', trainLimit: 300, evalLimit: 120, pretrainDir: join(dir, 'pretrain'),
    confusion: { runDir: join(dir, 'finetune'), title: choice.title, rule: choice.rule }, results: syntheticResults(),
    methods: ['Supervised', 'SimCLRv2 fine-tuned', 'Distilled'], maxPoints: 100,
  };
});
after(cleanup);

test('the confusion matrix model is fixed by fraction size and the first label seed, never by a test figure', () => {
  assert.equal(largestFraction(['10%', '1%']), '10%');
  assert.equal(largestFraction(['1%', '50%', '10%']), '50%');
  assert.equal(largestFraction(['all', 'some']), 'some', 'the last when none reads as a fraction');
  const c = confusionChoice(['1%', '10%'], [3, 1], 'Distilled, self (same size)');
  assert.deepEqual([c.fraction, c.seed, c.title], ['10%', 3, 'Distilled, self (same size), 10% labels, label seed 3']);
  assert.match(c.rule, /not chosen by test accuracy.*largest label fraction \(10%\), first label subset \(seed 3\)/);
});

test('five pictures from the checkpoints and the data: PNGs that decode, the confusion matrix from the model\'s predictions', async () => {
  const live = liveTensors();
  const r = await reportPictures(options);
  assert.equal(liveTensors(), live, 'no tensor left behind');
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.pictures.map((p) => p.kind === 'file' && p.path.slice(options.outDir.length + 1)), [
    'pictures/retrieval-encoder.png', 'pictures/retrieval-pixels.png', 'pictures/embedding-map.png', 'pictures/label-efficiency.png', 'pictures/confusion-matrix.png',
  ]);
  for (const p of r.pictures) {
    assert.ok(p.kind === 'file');
    const meta = await sharp(p.path).metadata();
    assert.ok(meta.format === 'png' && meta.width! > 200 && meta.height! > 200, `${p.path}: ${meta.width}x${meta.height}`);
  }
  const captions = r.pictures.map((p) => (p.kind === 'file' ? p.caption : ''));
  assert.match(captions[0], /^Pretrained encoder \(features h\): each row is a test image/);
  assert.match(captions[1], /^Raw pixels: /);
  assert.match(captions[2], /random subsample of 100 of the 120 test images/);
  // The matrix's top-1 is the classifier's own accuracy on the same 120 test images.
  const { test: testSplit } = await loadDataSpec('fashion-mnist');
  const images = firstN(testSplit!, 120);
  const { probabilities } = await predict(join(dir, 'finetune'), images);
  const predicted = tidy(() => probabilities.argmax(1).toFlatArray());
  probabilities.dispose();
  const top1 = predicted.filter((p, i) => p === images.labels![i]).length / 120;
  assert.match(captions[4], new RegExp(`^Fine-tuned, 10% labels, label seed 3: counts of the 120 test images .* Top-1 ${(100 * top1).toFixed(1)}%\\. Model fixed by a rule`));
});

test('a picture that cannot be drawn is a line in the report; the others and the results are written', async () => {
  const r = await reportPictures({ ...options, outDir: join(dir, 'broken'), pretrainDir: join(dir, 'nowhere'), confusion: { ...options.confusion, runDir: join(dir, 'no-such-run') } });
  assert.deepEqual(r.pictures.map((p) => p.kind === 'file' && p.path.slice(join(dir, 'broken').length + 1)), ['pictures/retrieval-pixels.png', 'pictures/label-efficiency.png']);
  assert.equal(r.failures.length, 3);
  assert.match(r.failures[0], /^retrieval grid \(pretrained encoder\): .*nowhere/);
  assert.match(r.failures[1], /^embedding map: .*nowhere/);
  assert.match(r.failures[2], /^confusion matrix \(Fine-tuned, 10% labels, label seed 3\): .*no-such-run/);
  const report = await writeReport({ ...syntheticReportInput(join(dir, 'broken')), pictures: r.pictures, pictureFailures: r.failures });
  const md = readFileSync(report.markdown, 'utf8');
  assert.match(md, /## Results[\s\S]*\| Distilled \|/);
  assert.match(md, /!\[[^\]]+\]\(pictures\/retrieval-pixels\.png\)\n\n\*\*Figure 1\.\*\* Raw pixels/);
  assert.match(md, /- Not drawn: embedding map: .*nowhere/);
  assert.match(md, /- Not drawn: confusion matrix \(Fine-tuned, 10% labels, label seed 3\): .*no-such-run/);
});

test('a relative output folder (as `--out runs/x` gives) yields absolute picture paths that exist', async () => {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const r = await reportPictures({ ...options, outDir: 'relative-report' });
    assert.deepEqual(r.failures, []);
    for (const p of r.pictures) assert.ok(p.kind === 'file' && isAbsolute(p.path) && existsSync(p.path), `${p.kind === 'file' ? p.path : p.kind}`);
  } finally {
    process.chdir(cwd);
  }
});
