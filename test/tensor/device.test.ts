// Device and dtype moves: to() with nonBlocking, pinned memory (CUDA builds only), set_data in place, device names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cuda, parseDevice, randn, tensor, tidy } from '../../src/tensor/index.js';

test('to() with nonBlocking on the CPU is an ordinary copy or cast', () => tidy(() => {
  const x = tensor([1.5, -2, 3]);
  assert.deepEqual(x.to('cpu', { nonBlocking: true }).toFlatArray(), [1.5, -2, 3]);
  const d = x.to('float64', { nonBlocking: true });
  assert.equal(d.dtype, 'float64');
  assert.deepEqual(d.toFlatArray(), [1.5, -2, 3]);
  assert.throws(() => x.to('gpu:0x'), /to\(\): 'gpu:0x' is neither a dtype \(float32, .*\) nor a device \(cpu, cuda, cuda:N\)/);
}));

test('pinned memory: a CPU tensor is not pinned; pinning needs CUDA and fails as an exception without it', () => tidy(() => {
  const x = randn([4, 4]);
  assert.equal(x.isPinned(), false);
  if (cuda.isAvailable()) {
    const p = x.pinMemory();
    assert.equal(p.isPinned(), true);
    assert.deepEqual(p.toFlatArray(), x.toFlatArray());
  } else {
    assert.throws(() => x.pinMemory(), (err: Error) => err instanceof Error && /pin_memory|CUDA|accelerator/i.test(err.message));
  }
}));

test('setData_ repoints a leaf at new data: same object, requiresGrad kept, new dtype and shape', () => tidy(() => {
  const p = randn([2, 3]).requiresGrad_(true);
  const data = randn([3, 2], { dtype: 'float64' });
  const same = p.setData_(data);
  assert.equal(same, p);
  assert.equal(p.dtype, 'float64');
  assert.deepEqual(p.shape, [3, 2]);
  assert.equal(p.requiresGrad, true);
  assert.equal(p.isLeaf, true);
  assert.deepEqual(p.toFlatArray(), data.toFlatArray());
  // The gradient of the new data flows as for any leaf.
  p.mul(2).sum().backward();
  assert.deepEqual(p.grad!.toFlatArray(), new Array(6).fill(2));
}));

test('setData_ between storages libtorch cannot swap in place (CPU and meta) is an exception naming the mismatch', () => tidy(() => {
  const p = randn([2]);
  assert.throws(() => p.setData_(randn([2]).to('meta')), /incompatible tensor type|set_data/);
  assert.equal(p.device, 'cpu');
}));

test('parseDevice reads cpu, cuda and cuda:N and names what it was given otherwise', () => {
  assert.deepEqual(parseDevice('cpu'), { type: 'cpu', index: null });
  assert.deepEqual(parseDevice('cuda'), { type: 'cuda', index: null });
  assert.deepEqual(parseDevice('cuda:3'), { type: 'cuda', index: 3 });
  assert.throws(() => parseDevice('CUDA', '--device'), /--device: 'CUDA' is not a device \(cpu, cuda, cuda:N\)/);
  assert.throws(() => parseDevice('cuda:', '--device'), /'cuda:' is not a device/);
});
