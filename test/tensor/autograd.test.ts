// Autograd controls: noGrad / enableGrad regions, backward into .grad, torch.autograd.grad.
// Reference: torch.no_grad, torch.enable_grad, torch.autograd.grad.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enableGrad, grad, isGradEnabled, noGrad, tensor, tidy } from '../../src/tensor/index.js';

test('noGrad: results do not require grad, the mode is restored after return and after a throw', () => tidy(() => {
  const w = tensor([1, 2, 3]).requiresGrad_(true);
  assert.equal(isGradEnabled(), true);
  const y = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    return w.mul(2);
  });
  assert.equal(y.requiresGrad, false);
  assert.equal(isGradEnabled(), true);
  assert.throws(() => noGrad(() => { throw new Error('inside'); }), /inside/);
  assert.equal(isGradEnabled(), true, 'restored after a throw');
  assert.equal(w.mul(2).requiresGrad, true);
}));

test('nested noGrad and enableGrad', () => tidy(() => {
  const w = tensor([1]).requiresGrad_(true);
  noGrad(() => {
    noGrad(() => assert.equal(isGradEnabled(), false));
    assert.equal(isGradEnabled(), false, 'inner noGrad restored the outer (off) state');
    const z = enableGrad(() => w.mul(3));
    assert.equal(z.requiresGrad, true);
    assert.equal(isGradEnabled(), false);
  });
}));

test('in-place updates of leaves are allowed under noGrad (optimizer steps)', () => tidy(() => {
  const w = tensor([1, 2]).requiresGrad_(true);
  assert.throws(() => w.add_(1), /leaf Variable that requires grad/);
  noGrad(() => w.add_(1));
  assert.deepEqual(w.toFlatArray(), [2, 3]);
}));

test('backward accumulates into .grad; grad() leaves .grad alone', () => tidy(() => {
  const x = tensor([1, 2, 3]).requiresGrad_(true);
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toFlatArray(), [2, 4, 6]);
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toFlatArray(), [4, 8, 12], 'accumulated');
  x.grad = null;
  assert.equal(x.grad, null);
  const [g] = grad([x.pow(3).sum()], [x]);
  assert.deepEqual(g!.toFlatArray(), [3, 12, 27]);
  assert.equal(x.grad, null, 'grad() does not touch .grad');
  const y = tensor([1]).requiresGrad_(true);
  assert.deepEqual(grad([x.sum()], [x, y], { allowUnused: true })[1], null);
  assert.throws(() => grad([x.sum()], [y]), /not have been used in the graph/);
}));

test('createGraph gives differentiable gradients (second derivative)', () => tidy(() => {
  const x = tensor([2]).requiresGrad_(true);
  const [g] = grad([x.pow(3).sum()], [x], { createGraph: true });
  const [g2] = grad([g!.sum()], [x]);
  assert.equal(g!.item(), 12);
  assert.equal(g2!.item(), 12); // d2/dx2 x^3 = 6x
}));
