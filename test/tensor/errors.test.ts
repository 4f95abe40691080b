// Bad calls give clear JavaScript errors (TypeError/RangeError/Error with libtorch's message, no C++ backtrace)
// and the process keeps working afterwards. Reference: DESIGN.md section 3, STYLE.md point 4.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callTensor, F, liveTensors, ones, randn, tensor, tidy, zeros } from '../../src/tensor/index.js';

const i64 = (values: bigint[]) => tensor(BigInt64Array.from(values), [values.length]);

/** Asserts fn throws an instance of `type` whose message matches `message` and carries no C++ backtrace. */
function throwsClean(fn: () => unknown, type: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, message: RegExp): void {
  assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${err.constructor.name}: ${err.message}`);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, /Exception raised from|frame #\d/, 'no C++ backtrace in the message');
    return true;
  });
}

test('shape mismatches name the sizes', () => tidy(() => {
  throwsClean(() => tensor([1, 2]).add(tensor([1, 2, 3])), Error, /size of tensor a \(2\) must match the size of tensor b \(3\)/);
  throwsClean(() => zeros([2, 3]).matmul(zeros([2, 3])), Error, /cannot be multiplied \(2x3 and 2x3\)/);
  throwsClean(() => F.conv2d(zeros([1, 3, 4, 4]), zeros([2, 4, 3, 3])), Error, /expected input\[1, 3, 4, 4\] to have 4 channels/);
  throwsClean(() => zeros([6]).view([4, 2]), Error, /shape '\[4, 2\]' is invalid for input of size 6/);
}));

test('wrong dtypes are refused: float index, float target, grad on integers', () => tidy(() => {
  throwsClean(() => tensor([1, 2, 3]).indexSelect(0, tensor([0])), Error, /index_select\(\): Expected dtype int32 or int64 for index/);
  throwsClean(() => tensor([[1, 2, 3]]).gather(1, tensor([[0]])), Error, /gather\(\): Expected dtype int64 for index/);
  throwsClean(() => tensor([1]).to('float128'), TypeError, /to\(\): 'float128' is neither a dtype/);
  throwsClean(() => tensor([1], { dtype: 'int64' }).requiresGrad_(true), Error, /floating point and complex dtype can require gradients/);
  throwsClean(() => zeros([2], { dtype: 'complex64' as never }), TypeError, /unknown dtype 'complex64'/);
}));

test('negative and non-integer sizes are RangeErrors or libtorch errors naming the value', () => tidy(() => {
  throwsClean(() => zeros([-1]), RangeError, /zeros: shape\[0\] must be a non-negative integer, got -1/);
  throwsClean(() => randn([2, -3]), RangeError, /randn: shape\[1\] must be a non-negative integer, got -3/);
  throwsClean(() => ones([2.5]), RangeError, /ones: shape\[0\] must be a non-negative integer, got 2.5/);
  throwsClean(() => tensor(new Float32Array(2), [-1, -2]), RangeError, /tensor: shape\[0\]/);
  throwsClean(() => tensor(new Float32Array(3), [2, 2]), RangeError, /shape \[2, 2\] holds 4 elements but the array has 3/);
  throwsClean(() => tensor([1, 2]).reshape([-2]), Error, /invalid shape dimension -2/);
}));

test('out-of-range indices: indexSelect, gather, narrow, select, crossEntropy target', () => tidy(() => {
  const x = tensor([[1, 2, 3]]);
  throwsClean(() => tensor([1, 2, 3]).indexSelect(0, i64([5n])), Error, /index out of range/);
  throwsClean(() => x.gather(1, tensor(BigInt64Array.from([5n]), [1, 1])), Error, /index 5 is out of bounds for dimension 1 with size 3/);
  throwsClean(() => tensor([1, 2, 3]).narrow(0, 2, 5), Error, /start \(2\) \+ length \(5\) exceeds dimension size \(3\)/);
  throwsClean(() => x.select(1, 7), Error, /index 7 is out of range|out of range/);
  throwsClean(() => F.crossEntropy(zeros([2, 3]), i64([0n, 5n])), Error, /Target 5 is out of bounds/);
  throwsClean(() => x.size(4), RangeError, /size\(4\): tensor of shape \[1,3\] has 2 dimensions/);
}));

test('use after dispose is an error, as the receiver and as an argument', () => tidy(() => {
  const d = tensor([1]);
  d.dispose();
  throwsClean(() => d.add(1), Error, /used after dispose/);
  throwsClean(() => tensor([1]).add(d), Error, /used after dispose/);
  throwsClean(() => d.shape, Error, /used after dispose/);
  throwsClean(() => d.dataSync(), Error, /used after dispose/);
  assert.equal(String(d), 'Tensor(disposed)');
}));

test('wrong JavaScript argument types are TypeErrors naming the operator and argument', () => tidy(() => {
  const x = tensor([1, 2, 3]);
  throwsClean(() => x.add('a' as never), TypeError, /aten::add\.Tensor: argument 'other': expected a Tensor/);
  throwsClean(() => x.mul(undefined as never), TypeError, /aten::mul\.Tensor: missing argument 'other'/);
  // libtorch 2.x schemas say SymInt where 1.13 says int: messages print int on both.
  throwsClean(() => x.reshape('abc' as never), TypeError, /aten::reshape: argument 'shape': expected int\[\], got string/);
  throwsClean(() => x.sum(1.5), TypeError, /aten::sum\.dim_IntList: argument 'dim'\[0\]: expected an integer/);
  throwsClean(() => x.narrow(0, 'a' as never, 1), TypeError, /aten::narrow: argument 'start': expected int, got string/);
  throwsClean(() => F.conv2d({} as never, x), TypeError, /aten::conv2d: argument 'input': expected a Tensor/);
  throwsClean(() => F.conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 1, 1]), null, { stride: 'a' as never }), TypeError,
    /aten::conv2d: argument 'stride': expected int or int\[2\], got string/);
  throwsClean(() => F.batchNorm(zeros([2, 3]), { training: 'yes' as never }), TypeError, /aten::batch_norm: argument 'training': expected bool/);
  throwsClean(() => callTensor('aten::relu', [x, 1]), TypeError, /aten::relu: takes 1 arguments, got 2/);
  throwsClean(() => callTensor('aten::no_such_op', [x]), RangeError, /no ATen operator aten::no_such_op/);
  throwsClean(() => tensor('abc' as never), TypeError, /tensor\(\): data must be numbers/);
  throwsClean(() => tensor([[1, 2], [3]]), RangeError, /ragged nested array at depth 1/);
  throwsClean(() => tensor([1, [2]] as never), RangeError, /ragged nested array/);
}));

test('bad option values: reduction, label smoothing, pad, interpolate, device', () => tidy(() => {
  const logits = zeros([2, 3]);
  const target = i64([0n, 1n]);
  throwsClean(() => F.crossEntropy(logits, target, { reduction: 'avg' as never }), TypeError, /reduction must be 'none', 'mean' or 'sum', got 'avg'/);
  throwsClean(() => F.crossEntropy(logits, target, { labelSmoothing: 1.5 }), RangeError, /labelSmoothing must be in \[0, 1\], got 1.5/);
  throwsClean(() => F.pad(zeros([1, 2, 5]), [1, 1, 1], 'reflect'), RangeError, /pad: pads must list \(before, after\) pairs/);
  throwsClean(() => F.pad(zeros([1, 2, 5]), [1, 1], 'wrap' as never), TypeError, /pad: unknown mode 'wrap'/);
  throwsClean(() => F.interpolate(zeros([1, 1, 2, 2]), {}), TypeError, /give exactly one of size or scaleFactor/);
  throwsClean(() => zeros([2]).to('tpu'), RangeError, /invalid device 'tpu'/);
}));

test('the process survives every error above and still computes, with no tensors leaked', () => {
  const before = liveTensors();
  const value = tidy(() => F.softmax(tensor([[1, 2, 3]]), 1).sum().item());
  assert.ok(Math.abs(value - 1) < 1e-6);
  for (let i = 0; i < 20; i++) assert.throws(() => tidy(() => tensor([1, 2]).add(tensor([1, 2, 3]))));
  assert.equal(liveTensors(), before);
});
