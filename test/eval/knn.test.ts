// The weighted kNN classifier against votes computed by hand: cosine similarity, top-k, exp(sim / T) weights summed
// per class; the temperature decides between one close neighbour and two farther ones; chunking changes nothing;
// no tensor is left behind; an aborted signal stops it.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { knnAccuracy, knnScores } from '../../src/eval/knn.js';
import { liveTensors, tensor, type Tensor } from '../../src/tensor/index.js';

// Inputs are disposed after each test, so no test's leftovers reach the next one's leak count through finalizers.
const made: Tensor[] = [];
const track = (t: Tensor) => (made.push(t), t);
afterEach(() => made.splice(0).forEach((t) => t.isDisposed || t.dispose()));

// Train: a (1,0) class 0; b (0,1) class 1; c (1,1) class 1; d (-1,0) class 2. Query q = (1, 0.2).
const train = () => track(tensor([[1, 0], [0, 1], [1, 1], [-1, 0]], [4, 2]));
const labels = () => track(tensor(BigInt64Array.from([0n, 1n, 1n, 2n]), [4]));
const query = () => track(tensor([[1, 0.2]], [1, 2]));

const qNorm = Math.hypot(1, 0.2);
const simA = 1 / qNorm; // 0.9806
const simB = 0.2 / qNorm; // 0.1961
const simC = 1.2 / (Math.SQRT2 * qNorm); // 0.8321

function close(actual: number[], expected: number[], label: string): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `${label}[${i}]: ${v} vs ${expected[i]}`));
}

test('k = 3 neighbours (a, c, b) vote exp(sim / T) for their classes; d is not among them', async () => {
  const t = 0.5;
  const scores = await knnScores(train(), labels(), query(), { k: 3, temperature: t, numClasses: 3 });
  close(scores.toFlatArray(), [Math.exp(simA / t), Math.exp(simC / t) + Math.exp(simB / t), 0], 'scores');
  scores.dispose();
});

test('the temperature decides: one close neighbour wins when T is small, two farther ones when T is large', async () => {
  const vote = async (temperature: number) => {
    const s = await knnScores(train(), labels(), query(), { k: 3, temperature, numClasses: 3 });
    const out = s.toFlatArray();
    s.dispose();
    return out;
  };
  const sharp = await vote(0.05); // exp(19.6) vs exp(16.6) + exp(3.9): class 0
  assert.ok(sharp[0] > sharp[1], `T=0.05: ${sharp}`);
  const flat = await vote(10); // about 1.10 vs 1.09 + 1.02: class 1
  assert.ok(flat[1] > flat[0], `T=10: ${flat}`);
  const testLabels = track(tensor(BigInt64Array.from([1n]), [1]));
  assert.equal(await knnAccuracy(train(), labels(), query(), testLabels, { k: 3, temperature: 10, numClasses: 3 }), 1);
  assert.equal(await knnAccuracy(train(), labels(), query(), testLabels, { k: 3, temperature: 0.05, numClasses: 3 }), 0);
});

test('chunked scoring equals one chunk, k above the bank size uses the whole bank, and nothing leaks', async () => {
  const before = liveTensors();
  const [bank, y] = [train(), labels()];
  const queries = tensor([[1, 0.2], [0, 1], [-1, -0.5], [0.3, 0.3], [2, -1]], [5, 2]);
  const whole = await knnScores(bank, y, queries, { k: 10, temperature: 0.1, numClasses: 3 });
  const chunked = await knnScores(bank, y, queries, { k: 10, temperature: 0.1, numClasses: 3, chunkSize: 2 });
  close(chunked.toFlatArray(), whole.toFlatArray(), 'chunked');
  for (const t of [bank, y, queries, whole, chunked]) t.dispose();
  assert.equal(liveTensors(), before);
});

test('an aborted signal rejects with its reason and frees its tensors', async () => {
  const before = liveTensors();
  const [bank, y, q] = [train(), labels(), query()];
  const controller = new AbortController();
  controller.abort(new Error('stop requested'));
  await assert.rejects(knnScores(bank, y, q, { numClasses: 3, signal: controller.signal }), /stop requested/);
  for (const t of [bank, y, q]) t.dispose();
  assert.equal(liveTensors(), before);
});
