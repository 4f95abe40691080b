// withDefaultDevice: every creation function without an explicit device uses the scope's device (meta here: shapes
// without memory), an explicit device still wins, and the previous default comes back even when the scope throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispose, full, ones, randn, tensor, withDefaultDevice, zeros } from '../../src/tensor/index.js';

test('creation inside the scope lands on its device; an explicit device wins; the default is restored', () => {
  const made = withDefaultDevice('meta', () => [zeros([2, 3]), ones([4]), full([2], 7), randn([3, 3]), tensor([1, 2, 3]), zeros([2], { device: 'cpu' })]);
  assert.deepEqual(made.map((t) => t.device), ['meta', 'meta', 'meta', 'meta', 'meta', 'cpu']);
  assert.deepEqual(made[3].shape, [3, 3]);
  dispose(made);
  assert.throws(() => withDefaultDevice('meta', () => { throw new Error('inside'); }), /inside/);
  const after = zeros([1]);
  assert.equal(after.device, 'cpu');
  after.dispose();
});

test('nested scopes restore the outer device', () => {
  const [inner, outer] = withDefaultDevice('meta', () => [withDefaultDevice('cpu', () => zeros([1])), zeros([1])]);
  assert.equal(inner.device, 'cpu');
  assert.equal(outer.device, 'meta');
  dispose([inner, outer]);
});
