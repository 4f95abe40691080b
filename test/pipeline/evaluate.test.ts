// Evaluation: the linear probe separates separable features, a checkpoint's top-1 agrees with predict()'s argmax on the
// same images, and the linear / kNN evaluations of a pretraining checkpoint produce a complete summary.json.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { subsetDataset } from '../../src/data/dataset.js';
import { loadDataSpec } from '../../src/data/spec.js';
import { evaluateCheckpoint } from '../../src/pipeline/stages/evaluate.js';
import { trainLinearProbe } from '../../src/eval/linear_probe.js';
import { fitLogisticLbfgs } from '../../src/eval/logistic_lbfgs.js';
import { predict } from '../../src/pipeline/stages/predict.js';
import { dispose, F, Generator, liveTensors, randn, tensor, tidy } from '../../src/tensor/index.js';
import { readJson, tempDir, writeFinetuneCheckpoint, writePretrainCheckpoint } from './helpers.js';

const { dir, cleanup } = tempDir('simclr-evaluate-');
after(cleanup);
const pretrained = writePretrainCheckpoint(join(dir, 'pretrain'));
const classifier = writeFinetuneCheckpoint(join(dir, 'finetune'), pretrained);

/** n points per class around well separated centres (+-8 on a class's own axis, offset 100 to test standardising). */
function separable(n: number, classes: number, dims: number, seed: number) {
  const generator = new Generator(seed);
  return tidy(() => {
    const labels = Int32Array.from({ length: n * classes }, (_, i) => i % classes);
    const centres = new Float32Array(n * classes * dims);
    labels.forEach((y, i) => {
      for (let d = 0; d < dims; d++) centres[i * dims + d] = 100 + (d === y ? 8 : 0);
    });
    const x = tensor(centres, [n * classes, dims]).add(randn([n * classes, dims], { generator })); // (N, D)
    return { x, y: tensor(labels, [labels.length], { dtype: 'int64' }) };
  });
}

test('the linear probe reaches ~100% on trivially separable features with either solver (and ~chance on shuffled labels)', async () => {
  const before = liveTensors();
  const train = separable(60, 5, 16, 1);
  const test_ = separable(40, 5, 16, 2);
  const lbfgs = await trainLinearProbe(train.x, train.y, test_.x, test_.y, { numClasses: 5 });
  const adamw = await trainLinearProbe(train.x, train.y, test_.x, test_.y, { numClasses: 5, solver: 'adamw', epochs: 30, batchSize: 64 });
  for (const r of [lbfgs, adamw]) {
    assert.ok(r.top1 >= 0.99, `${r.solver}: test top-1 ${r.top1}`);
    assert.equal(r.top5, 1);
    assert.ok(r.train_top1 >= 0.99);
  }
  assert.equal(lbfgs.solver, 'lbfgs');
  assert.ok(lbfgs.steps > 0 && lbfgs.steps <= 300);
  assert.equal(adamw.steps, 30 * Math.ceil(300 / 64));
  const shuffled = tidy(() => test_.y.flip([0]).roll(1, 0)); // labels that no longer match the features (1 in 5 by chance)
  const chance = await trainLinearProbe(train.x, train.y, test_.x, shuffled, { numClasses: 5 });
  assert.ok(chance.top1 < 0.5, `shuffled labels gave ${chance.top1}`);
  dispose([train, test_, shuffled]);
  assert.equal(liveTensors(), before);
});

test('L-BFGS reaches the optimum of the regularised objective (float64): the autograd gradient there vanishes', async () => {
  const { x, y } = separable(30, 3, 4, 3);
  const noisy = tidy(() => x.sub(100).add(randn(x.shape, { generator: new Generator(4) }).mul(6)).double()); // overlapping classes
  const fit = await fitLogisticLbfgs(noisy, y, { numClasses: 3, l2: 0.01, tolerance: 1e-8, functionTolerance: 0 });
  assert.equal(fit.weight.dtype, 'float64');
  const gradNorm = tidy(() => {
    const W = fit.weight.clone().requiresGrad_();
    const b = fit.bias.clone().requiresGrad_();
    const loss = F.crossEntropy(F.linear(noisy, W, b), y).add(W.square().sum().mul(0.005));
    loss.backward();
    return Math.max(W.grad!.abs().max().item(), b.grad!.abs().max().item());
  });
  assert.ok(gradNorm < 1e-6, `gradient ${gradNorm} at the L-BFGS solution (${fit.iterations} iterations)`);
  dispose([x, y, noisy, fit.weight, fit.bias]);
});

test("a classifier checkpoint's top-1/top-5 on a split agree with predict()'s probabilities on the same images", async () => {
  const data = await loadDataSpec('fashion-mnist');
  const first = subsetDataset(data.test!, Int32Array.from({ length: 64 }, (_, i) => i));
  const summary = await evaluateCheckpoint(classifier, { data, limit: 64, out: join(dir, 'eval-classifier') });
  const p = await predict(classifier, first);
  const [top1, top5] = tidy(() => {
    const labels = first.getLabels(Int32Array.from({ length: 64 }, (_, i) => i)); // (64,)
    const top = p.probabilities.topk(5, 1).indices; // (64, 5)
    return [top.select(1, 0).eq(labels).float().mean().item(), top.eq(labels.unsqueeze(1)).sum(1).float().mean().item()];
  });
  p.probabilities.dispose();
  assert.equal(summary.kind, 'finetune');
  assert.equal(summary.images, 64);
  assert.ok(Math.abs(summary.top1! - top1) < 1e-6 && Math.abs(summary.top5! - top5) < 1e-6, `${summary.top1}/${summary.top5} vs ${top1}/${top5}`);
  assert.deepEqual(readJson(join(dir, 'eval-classifier', 'summary.json')), JSON.parse(JSON.stringify(summary)));
});

test('linear probe and kNN of a pretraining checkpoint: every figure in [0, 1], sizes as asked, summary.json written', async () => {
  const out = join(dir, 'eval-linear');
  const s = await evaluateCheckpoint(join(dir, 'pretrain'), { data: 'fashion-mnist', limit: 100, trainLimit: 300, linear: { maxIterations: 100 }, knn: { k: 10 }, out });
  assert.equal(s.kind, 'pretrain');
  assert.equal(s.linear_train_images, 300);
  assert.equal(s.linear_feature, 'h');
  assert.equal(s.knn_k, 10);
  for (const v of [s.top1, s.linear_top1, s.linear_top5, s.linear_train_top1, s.knn_top1]) assert.ok(typeof v === 'number' && v >= 0 && v <= 1, String(v));
  assert.ok(s.linear_top1! > 0.3, `linear probe of random features on Fashion-MNIST should beat chance clearly, got ${s.linear_top1}`);
  assert.equal(readJson(join(out, 'summary.json')).linear_top1, s.linear_top1);
  const subset = await evaluateCheckpoint(join(dir, 'pretrain'), { data: 'fashion-mnist', limit: 50, trainLimit: 300, linear: { labels: '5-per-class', feature: 1, solver: 'adamw', epochs: 5 } });
  assert.equal(subset.linear_train_images, 50);
  assert.equal(subset.linear_feature, '1');
  await assert.rejects(evaluateCheckpoint(join(dir, 'nowhere'), { data: 'fashion-mnist', limit: 10 }), /checkpoint not found: .*nowhere/);
});
