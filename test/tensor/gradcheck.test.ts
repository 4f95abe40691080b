// Finite-difference gradient checks (float64, central differences vs autograd) for the functional ops training uses.
// Tolerances as torch.autograd.gradcheck: eps 1e-6, atol 1e-5, rtol 1e-3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertGradcheck, F, gradcheck, manualSeed, rand, randn, tensor, tidy, liveTensors, type Tensor } from '../../src/tensor/index.js';

const f64 = { dtype: 'float64' as const };
const param = (shape: number[], scale = 1) => randn(shape, f64).mul(scale).requiresGrad_(true);

function check(label: string, fn: (...xs: Tensor[]) => Tensor, make: () => Tensor[]): void {
  const before = liveTensors();
  tidy(() => assertGradcheck(fn, make(), {}, label));
  assert.equal(liveTensors(), before, `${label}: gradcheck leaked tensors`);
}

test('gradcheck: conv2d (stride 2, padding 1, bias) and (groups 2, dilation 2)', () => {
  manualSeed(1);
  check('conv2d', (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), () => [param([1, 2, 4, 4]), param([3, 2, 3, 3]), param([3])]);
  check('conv2d groups', (x, w) => F.conv2d(x, w, null, { padding: 2, dilation: 2, groups: 2 }), () => [param([1, 4, 4, 4]), param([4, 2, 2, 2])]);
});

test('gradcheck: batchNorm in training mode (input, weight, bias; running stats updated)', () => {
  manualSeed(2);
  const runningMean = tensor([0, 0, 0], f64);
  const runningVar = tensor([1, 1, 1], f64);
  check('batchNorm', (x, weight, bias) => F.batchNorm(x, { weight, bias, runningMean, runningVar, training: true }),
    () => [param([4, 3, 2, 2]), param([3]), param([3])]);
  assert.notDeepEqual(runningMean.toFlatArray(), [0, 0, 0], 'training mode updated the running mean');
  runningMean.dispose();
  runningVar.dispose();
});

test('gradcheck: linear', () => {
  manualSeed(3);
  check('linear', (x, w, b) => F.linear(x, w, b), () => [param([3, 4]), param([2, 4]), param([2])]);
});

test('gradcheck: crossEntropy with hard targets, label smoothing and class weights', () => {
  manualSeed(4);
  const target = tensor(BigInt64Array.from([0n, 2n, 1n, 3n]), [4]);
  check('crossEntropy hard', (x) => F.crossEntropy(x, target), () => [param([4, 4], 2)]);
  check('crossEntropy smoothing', (x) => F.crossEntropy(x, target, { labelSmoothing: 0.2, reduction: 'sum' }), () => [param([4, 4], 2)]);
  const weight = tensor([0.5, 2, 1, 1.5], f64);
  check('crossEntropy weight', (x) => F.crossEntropy(x, target, { weight, labelSmoothing: 0.1 }), () => [param([4, 4])]);
  target.dispose();
  weight.dispose();
});

test('gradcheck: crossEntropy with soft (probability) targets, gradient to logits and targets', () => {
  manualSeed(5);
  check('crossEntropy soft', (x, p) => F.crossEntropy(x, p), () => [param([3, 5], 2), F.softmax(randn([3, 5], f64), 1).requiresGrad_(true)]);
  check('crossEntropy soft smoothing', (x, p) => F.crossEntropy(x, p, { labelSmoothing: 0.3, reduction: 'none' }),
    () => [param([3, 5]), F.softmax(randn([3, 5], f64), 1).requiresGrad_(true)]);
});

test('gradcheck: logSoftmax and normalize', () => {
  manualSeed(6);
  check('logSoftmax', (x) => F.logSoftmax(x, 1), () => [param([3, 4], 3)]);
  check('normalize p=2', (x) => F.normalize(x, { dim: 1 }), () => [param([3, 4])]);
  check('normalize p=3 dim 0', (x) => F.normalize(x, { p: 3, dim: 0 }), () => [param([3, 4])]);
});

test('gradcheck: gridSample (bilinear and bicubic) to input and grid, affineGrid to theta', () => {
  manualSeed(7);
  const grid = () => rand([1, 3, 2, 2], f64).mul(1.8).sub(0.9).requiresGrad_(true); // inside the image: no padding kinks
  check('gridSample bilinear', (x, g) => F.gridSample(x, g, { alignCorners: false }), () => [param([1, 2, 3, 4]), grid()]);
  check('gridSample bicubic border', (x, g) => F.gridSample(x, g, { mode: 'bicubic', paddingMode: 'border', alignCorners: true }),
    () => [param([1, 2, 3, 4]), grid()]);
  check('affineGrid', (theta) => F.affineGrid(theta, [1, 1, 2, 3]), () => [param([1, 2, 3])]);
});

test('gradcheck reports a wrong gradient and rejects inputs it cannot check', () => {
  tidy(() => {
    const x = tensor([0.5, -1.5, 2], f64).requiresGrad_(true);
    // d(x * stop_grad(x))/dx is x by autograd but 2x numerically: the checker must see the mismatch.
    const result = gradcheck((a) => a.mul(a.detach()), [x]);
    assert.equal(result.ok, false);
    assert.equal(result.mismatches.length, 3);
    assert.ok(Math.abs(result.mismatches[0].numerical - 2 * result.mismatches[0].analytical) < 1e-6);
    assert.throws(() => assertGradcheck((a) => a.mul(a.detach()), [x], {}, 'stopgrad'), /stopgrad: Jacobian mismatch/);
    assert.throws(() => gradcheck((a) => a.mul(2), [tensor([1, 2]).requiresGrad_(true)]), /input 0 must be float64/);
    assert.throws(() => gradcheck((a) => a.mul(2), [tensor([1, 2], f64)]), /no input requires grad/);
    assert.equal(gradcheck((a) => a.mul(a), [x]).ok, true);
  });
});
