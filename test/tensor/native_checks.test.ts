// Native entry points refuse what PyTorch refuses: a .grad of another shape, dtype or device; an unknown dtype code;
// a thread count that is not a positive integer. Views account for their own bytes, not their base's storage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { native } from '../../src/native/addon.js';
import { getNumThreads, liveTensorBytes, setNumThreads, tidy, zeros } from '../../src/tensor/index.js';

test('assigning .grad checks shape and dtype, as torch does; null clears it', () => {
  tidy(() => {
    const w = zeros([3, 2]).requiresGrad_();
    assert.throws(() => { w.grad = zeros([]); }, /setGrad: assigned grad has shape \[\] but the tensor has shape \[3, 2\]/);
    assert.throws(() => { w.grad = zeros([2, 3]); }, /shape \[2, 3\]/);
    assert.throws(() => { w.grad = zeros([3, 2], { dtype: 'float64' }); }, /dtype Double but the tensor has dtype Float/);
    w.grad = zeros([3, 2]).add(1);
    assert.deepEqual(w.grad!.toFlatArray(), [1, 1, 1, 1, 1, 1]);
    w.grad = null;
    assert.equal(w.grad, null);
  });
});

test('fromTypedArray refuses unknown dtype codes and non-string devices', () => {
  const data = new Float32Array([1, 2]);
  assert.throws(() => native.FromTypedArray(data, [2], 99), /fromTypedArray: dtype: unknown dtype code 99/);
  assert.throws(() => native.FromTypedArray(data, [2], 1.5), /unknown dtype code 1\.5/);
  assert.throws(() => native.FromTypedArray(data, [2], 'float32' as unknown as number), TypeError);
  assert.throws(() => native.FromTypedArray(data, [2], undefined, 7 as unknown as string), /device must be a string/);
});

test('setNumThreads accepts integers from 1 and names what it refuses', () => {
  const before = getNumThreads();
  try {
    for (const bad of [0, -1, 1.5, Number.NaN, 1e9]) assert.throws(() => setNumThreads(bad), /setNumThreads: need an integer from 1 to 4096/, String(bad));
    assert.throws(() => setNumThreads('2' as unknown as number), /setNumThreads: expected a number/);
    setNumThreads(1);
    assert.equal(getNumThreads(), 1);
  } finally {
    setNumThreads(before);
  }
});

test('a view reports its own extent, not its base storage', () => {
  tidy(() => {
    const base = zeros([1000, 100]); // 400 kB
    const before = liveTensorBytes();
    const row = base.narrow(0, 10, 1); // one row: 400 bytes
    assert.equal(liveTensorBytes() - before, 400);
    row.dispose();
    assert.equal(liveTensorBytes(), before);
  });
});
