// Distillation loss against PyTorch, a float64 formula, and its fixed points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tensor, tidy, randn, manualSeed } from '../../src/tensor/index.js';
import { distillationLoss } from '../../src/losses/distillation.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/losses/losses.json', import.meta.url), 'utf8'));

function direct(student: number[][], teacher: number[][], t: number): number {
  const softmax = (row: number[]) => {
    const m = Math.max(...row.map((v) => v / t));
    const e = row.map((v) => Math.exp(v / t - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  let total = 0;
  student.forEach((row, i) => {
    const p = softmax(teacher[i]);
    const q = softmax(row);
    total -= p.reduce((acc, pi, j) => acc + pi * Math.log(q[j]), 0);
  });
  return total / student.length;
}

test('matches PyTorch fixtures (value and gradient), with and without tau^2 scaling', () => {
  for (const c of fixtures.distillation) {
    tidy(() => {
      const s = tensor(Float64Array.from(c.student), [c.n, c.c]).requiresGrad_();
      const te = tensor(Float64Array.from(c.teacher), [c.n, c.c]);
      const loss = distillationLoss(s, te, { temperature: c.temperature, scaleByTemperatureSquared: c.squared });
      assert.ok(Math.abs(loss.item() - c.loss) < 1e-10);
      loss.backward();
      s.grad!.toFlatArray().forEach((g, i) => assert.ok(Math.abs(g - c.grad[i]) < 1e-10));
    });
  }
});

test('equals the direct float64 formula', () => {
  manualSeed(2);
  tidy(() => {
    const s = randn([5, 4], { dtype: 'float64' });
    const te = randn([5, 4], { dtype: 'float64' });
    const rows = (x: number[]) => Array.from({ length: 5 }, (_, i) => x.slice(i * 4, i * 4 + 4));
    const expected = direct(rows(s.toFlatArray()), rows(te.toFlatArray()), 2);
    assert.ok(Math.abs(distillationLoss(s, te, { temperature: 2 }).item() - expected) < 1e-12);
  });
});

test('student equal to teacher: zero gradient at every tau; teacher gets no gradient', () => {
  manualSeed(4);
  for (const temperature of [0.5, 1, 4]) {
    tidy(() => {
      const logits = randn([6, 10], { dtype: 'float64' });
      const student = logits.clone().requiresGrad_();
      const teacher = logits.clone().requiresGrad_();
      distillationLoss(student, teacher, { temperature }).backward();
      assert.ok(student.grad!.abs().max().item() < 1e-12);
      assert.equal(teacher.grad, null);
    });
  }
});

test('rejects mismatched shapes and bad temperature', () => {
  tidy(() => {
    assert.throws(() => distillationLoss(randn([4, 10]), randn([4, 9])), /\[4,10\].*\[4,9\]/);
    assert.throws(() => distillationLoss(randn([4, 10]), randn([4, 10]), { temperature: -1 }), /temperature/);
  });
});
