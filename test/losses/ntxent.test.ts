// NT-Xent against a direct float64 computation of the formula, a PyTorch fixture, and finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tensor, tidy, randn, liveTensors, manualSeed, type Tensor } from '../../src/tensor/index.js';
import { ntXent, contrastiveAccuracy } from '../../src/losses/ntxent.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/losses/losses.json', import.meta.url), 'utf8'));

/** The SimCLR loss written out with loops: for each anchor, -log softmax over all 2N-1 others at the positive. */
function directNtXent(z: number[][], temperature: number, hiddenNorm: boolean): number {
  const rows = z.map((r) => {
    const norm = Math.sqrt(r.reduce((s, v) => s + v * v, 0));
    return hiddenNorm ? r.map((v) => v / Math.max(norm, 1e-12)) : r;
  });
  const n2 = rows.length;
  const n = n2 / 2;
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
  let total = 0;
  for (let i = 0; i < n2; i++) {
    const positive = i < n ? i + n : i - n;
    const others = rows.map((r, j) => (j === i ? -Infinity : dot(rows[i], r) / temperature));
    const max = Math.max(...others);
    const logSum = max + Math.log(others.reduce((s, v) => s + Math.exp(v - max), 0));
    total += logSum - others[positive];
  }
  return total / n2;
}

function toRows(flat: number[], cols: number): number[][] {
  return Array.from({ length: flat.length / cols }, (_, i) => flat.slice(i * cols, (i + 1) * cols));
}

test('equals the direct float64 formula on random inputs for several sizes and temperatures', () => {
  manualSeed(7);
  for (const [n, d] of [[2, 3], [3, 5], [8, 16], [16, 4]]) {
    for (const temperature of [0.1, 0.5, 1]) {
      tidy(() => {
        const z = randn([2 * n, d], { dtype: 'float64' });
        const expected = directNtXent(toRows(z.toFlatArray(), d), temperature, true);
        const { loss } = ntXent(z, { temperature, directions: 'mean' });
        assert.ok(Math.abs(loss.item() - expected) < 1e-9, `n=${n} t=${temperature}: ${loss.item()} vs ${expected}`);
      });
    }
  }
});

test('matches the PyTorch transcription of the official loss, value and gradient', () => {
  for (const c of fixtures.ntxent) {
    tidy(() => {
      const z = tensor(Float64Array.from(c.z), [2 * c.n, c.d]).requiresGrad_();
      const result = ntXent(z, { temperature: c.temperature, hiddenNorm: c.hidden_norm });
      const { loss } = result;
      assert.ok(Math.abs(loss.item() - c.loss) < 1e-10, `loss ${loss.item()} vs ${c.loss}`);
      assert.ok(Math.abs(contrastiveAccuracy(result).item() - c.contrast_acc) < 1e-6, 'contrast_acc');
      loss.backward();
      const grad = z.grad!.toFlatArray();
      grad.forEach((g, i) => assert.ok(Math.abs(g - c.grad[i]) < 1e-10, `grad[${i}] ${g} vs ${c.grad[i]}`));
    });
  }
});

test("'sum' (the official scale, default) is twice 'mean' in value and gradient", () => {
  manualSeed(9);
  tidy(() => {
    const z = randn([12, 5], { dtype: 'float64' }).requiresGrad_();
    const [sum, mean] = (['sum', 'mean'] as const).map((directions) => ntXent(z, { temperature: 0.2, directions }).loss);
    assert.ok(Math.abs(sum.item() - 2 * mean.item()) < 1e-12, `${sum.item()} vs 2 x ${mean.item()}`);
    assert.equal(ntXent(z, { temperature: 0.2 }).loss.item(), sum.item());
    assert.throws(() => ntXent(z, { temperature: 0.2, directions: 'max' as never }), /directions must be 'sum' or 'mean'/);
  });
});

test('contrastive accuracy looks at the cross-view logits only (a close same-view negative does not count)', () => {
  tidy(() => {
    // Rows 0,1 are view 1 of images 0,1; rows 2,3 their view 2. Image 0's two views are far apart but view 1 of
    // image 1 sits right next to view 1 of image 0: over 2N columns row 0's argmax would be that same-view row.
    const z = tensor([[1, 0, 0], [0.99, 0.14, 0], [0.6, 0, 0.8], [0, 1, 0]], [4, 3]);
    const result = ntXent(z, { temperature: 0.5 });
    // Cross-view: row 0 against view 2 rows [0.6,0,0.8] (its positive) and [0,1,0]: positive wins; row 1 against
    // [0.6,0,0.8] (0.594) and [0,1,0] (0.14): the negative wins. Official accuracy 1/2.
    assert.equal(contrastiveAccuracy(result).item(), 0.5);
  });
});

test('gradient matches central finite differences in float64', () => {
  manualSeed(3);
  tidy(() => {
    const n = 3;
    const d = 4;
    const z0 = randn([2 * n, d], { dtype: 'float64' }).toFlatArray();
    const lossAt = (values: number[]) => tidy(() => ntXent(tensor(Float64Array.from(values), [2 * n, d]), { temperature: 0.5 }).loss.item());
    const z = tensor(Float64Array.from(z0), [2 * n, d]).requiresGrad_();
    ntXent(z, { temperature: 0.5 }).loss.backward();
    const analytic = z.grad!.toFlatArray();
    const eps = 1e-6;
    for (let i = 0; i < z0.length; i++) {
      const plus = z0.slice(); plus[i] += eps;
      const minus = z0.slice(); minus[i] -= eps;
      const numeric = (lossAt(plus) - lossAt(minus)) / (2 * eps);
      assert.ok(Math.abs(numeric - analytic[i]) < 1e-6, `d/dz[${i}]: numeric ${numeric} vs autograd ${analytic[i]}`);
    }
  });
});

test('aligned views give a lower loss and full contrastive accuracy; random views do not', () => {
  manualSeed(11);
  tidy(() => {
    const v = randn([32, 16]);
    const aligned = ntXent(v.repeat([2, 1]), { temperature: 0.5 });
    const random = ntXent(randn([64, 16]), { temperature: 0.5 });
    assert.ok(aligned.loss.item() < random.loss.item() - 1, `${aligned.loss.item()} !< ${random.loss.item()}`);
    assert.equal(contrastiveAccuracy(aligned).item(), 1);
    assert.ok(contrastiveAccuracy(random).item() < 0.5);
  });
});

test('extra negatives enter the denominator only', () => {
  manualSeed(5);
  tidy(() => {
    const z = randn([8, 6], { dtype: 'float64' });
    const base = ntXent(z, { temperature: 0.5 });
    const extra = randn([5, 6], { dtype: 'float64' });
    const normed = extra.div(extra.norm(2, 1, true));
    const withQueue = ntXent(z, { temperature: 0.5, extraNegatives: normed });
    assert.deepEqual(withQueue.logits.shape, [4, 8 + 5]);
    assert.ok(withQueue.loss.item() > base.loss.item());
  });
});

test('rejects bad shapes and temperatures with clear messages, leaks nothing', () => {
  const before = liveTensors();
  tidy(() => {
    assert.throws(() => ntXent(randn([5, 3]), { temperature: 0.5 }), /\(2N, D\).*\[5,3\]/);
    assert.throws(() => ntXent(randn([2, 3]), { temperature: 0.5 }), /N >= 2/);
    assert.throws(() => ntXent(randn([4, 3]), { temperature: 0 }), /temperature must be > 0/);
  });
  assert.equal(liveTensors(), before);
});

export type { Tensor };
