// Tensor basics: creation from JS data, dtype and device moves, channels-last layout, data access.
// Reference: torch.Tensor.to / contiguous(memory_format=torch.channels_last) / tolist.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cuda, F, randn, tensor, tidy, zeros } from '../../src/tensor/index.js';

test('creation infers dtypes and keeps shapes, including empty and 0-d', () => tidy(() => {
  assert.equal(tensor([1, 2]).dtype, 'float32');
  assert.equal(tensor([true, false]).dtype, 'bool');
  assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
  assert.equal(tensor(new BigInt64Array([1n]), [1]).dtype, 'int64');
  assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  assert.deepEqual(tensor(5).shape, []);
  assert.equal(tensor(5).item(), 5);
  assert.deepEqual(tensor([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(tensor([true, false]).toArray(), [true, false]);
}));

test('an explicit shape reshapes nested data as it does a typed array, and must hold the same number of elements', () => tidy(() => {
  assert.deepEqual(tensor([[1, 2], [3, 4], [5, 6]], [2, 3]).toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(tensor([1, 2, 3, 4], [2, 2], { dtype: 'int64' }).toArray(), [[1, 2], [3, 4]]);
  assert.throws(() => tensor([[1, 2], [3, 4]], [3]), /tensor: shape \[3\] does not fit nested data of shape \[2,2\] \(4 elements\)/);
}));

test('dtype moves convert values like PyTorch', () => tidy(() => {
  const x = tensor([2.7, -2.7, 0.5]);
  assert.deepEqual(x.to('int64').toFlatArray(), [2, -2, 0], 'truncation toward zero');
  assert.deepEqual(x.to('bool').toArray(), [true, true, true]);
  assert.deepEqual(tensor([1 / 3]).to('float16').toFlatArray(), [0.333251953125]);
  assert.deepEqual(tensor([1 / 3]).to('bfloat16').toFlatArray(), [0.333984375]);
  assert.deepEqual(tensor([300]).to('uint8').toFlatArray(), [44], 'wraps modulo 256');
  assert.equal(x.double().dtype, 'float64');
  assert.equal(x.double().float().dtype, 'float32');
  assert.ok(x.to('float64').dataSync() instanceof Float64Array);
  assert.ok(x.to('int64').dataSync() instanceof BigInt64Array);
  assert.ok(x.to('int16').dataSync() instanceof Int16Array);
}));

test('device moves: cpu round trip; cuda gives a clear error when absent', () => tidy(() => {
  const x = tensor([1, 2]);
  assert.equal(x.device, 'cpu');
  const y = x.to('cpu');
  assert.equal(y.device, 'cpu');
  assert.deepEqual(y.toFlatArray(), [1, 2]);
  if (cuda.isAvailable()) {
    const g = x.to('cuda');
    assert.equal(g.device, 'cuda:0');
    assert.deepEqual(g.to('cpu').toFlatArray(), [1, 2]);
  } else {
    assert.throws(() => x.to('cuda'), /cuda/i);
    assert.throws(() => x.to('cuda:0x'), /neither a dtype .* nor a device/);
  }
}));

test('channels-last: strides, isContiguous, same values and same conv2d result', () => tidy(() => {
  const x = randn([2, 3, 4, 5]);
  const cl = x.contiguous('channelsLast');
  assert.deepEqual(cl.strides(), [60, 1, 15, 3]);
  assert.equal(cl.isContiguous('channelsLast'), true);
  assert.equal(cl.isContiguous(), false);
  assert.equal(x.isContiguous(), true);
  assert.equal(x.isContiguous('channelsLast'), false);
  assert.deepEqual(cl.toFlatArray(), x.toFlatArray(), 'dataSync reads logical (NCHW) order');
  const w = randn([4, 3, 3, 3]);
  const a = F.conv2d(x, w, null, { padding: 1 });
  const b = F.conv2d(cl, w.contiguous('channelsLast'), null, { padding: 1 });
  assert.equal(b.isContiguous('channelsLast'), true, 'conv keeps the channels-last layout');
  assert.ok(a.sub(b).abs().max().item() < 1e-5);
  assert.equal(cl.contiguous().isContiguous(), true);
  assert.equal(zeros([1, 3, 1, 1]).isContiguous('channelsLast'), true, 'size-1 dims are ignored, as in torch');
  assert.equal(x.transpose(2, 3).isContiguous(), false);
  assert.throws(() => zeros([2, 3, 4]).contiguous('channelsLast'), /rank 4/);
}));
