// Linear and Conv2d against PyTorch 1.13: forward values and gradients (weight, bias, input) from the fixture
// (scripts/make_nn_fixtures.py -> test/fixtures/nn/nn.safetensors); pooling and other layers by hand.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  AdaptiveAvgPool2d, AvgPool2d, Conv2d, Flatten, Identity, Linear, MaxPool2d, ReLU, type Layer,
} from '../../src/nn/index.js';
import { arange, dispose, liveTensors, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, loadFixture } from './helpers.js';

const fx = loadFixture('nn/nn.safetensors');
after(() => dispose(fx.tensors));

/** Loads `prefix.weight` (and bias) into the layer, runs forward + backward, compares with the fixture. */
function checkAgainstTorch(layer: Layer & { weight: Tensor; bias: Tensor | null }, prefix: string): void {
  const state = new Map([['weight', fx.get(`${prefix}.weight`)]]);
  if (layer.bias) state.set('bias', fx.get(`${prefix}.bias`));
  layer.loadStateDict(state);
  tidy(() => {
    const x = fx.get(`${prefix}.x`).clone().requiresGrad_(true); // (N, ...)
    const y = layer.forward(x);
    assertClose(y, fx.get(`${prefix}.y`), 1e-5, `${prefix} output`, 1e-5);
    y.backward(fx.get(`${prefix}.gy`));
    assertClose(layer.weight.grad!, fx.get(`${prefix}.grad_weight`), 1e-5, `${prefix} weight grad`, 1e-5);
    if (layer.bias) assertClose(layer.bias.grad!, fx.get(`${prefix}.grad_bias`), 1e-5, `${prefix} bias grad`, 1e-5);
    assertClose(x.grad!, fx.get(`${prefix}.grad_x`), 1e-5, `${prefix} input grad`, 1e-5);
  });
  layer.zeroGrad();
}

describe('Linear', () => {
  it('matches torch.nn.Linear forward and backward', () => {
    const before = liveTensors();
    const layer = new Linear({ inFeatures: 5, outFeatures: 3 });
    checkAgainstTorch(layer, 'linear');
    layer.dispose();
    assert.equal(liveTensors(), before, 'no tensor leaks');
  });

  it('has PyTorch parameter shapes and optimiser flags (bias excluded from decay and LARS)', () => {
    const layer = new Linear({ inFeatures: 4, outFeatures: 2 });
    assert.deepEqual(layer.weight.shape, [2, 4]);
    assert.deepEqual(layer.bias!.shape, [2]);
    assert.deepEqual([layer.weight.weightDecay, layer.weight.larsAdapt], [true, true]);
    assert.deepEqual([layer.bias!.weightDecay, layer.bias!.larsAdapt], [false, false]);
    layer.dispose();
  });

  it('default init draws weights within the kaiming-uniform bound 1/sqrt(in)', () => {
    const layer = new Linear({ inFeatures: 16, outFeatures: 32 });
    const w = layer.weight.toFlatArray();
    const bound = 1 / Math.sqrt(16);
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    assert.ok(Math.max(...w.map(Math.abs)) > 0.8 * bound, 'draws fill the range');
    layer.dispose();
  });

  it('zeroInit gives all-zero weight and bias', () => {
    const layer = new Linear({ inFeatures: 3, outFeatures: 2, zeroInit: true });
    assert.deepEqual(layer.weight.toFlatArray(), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(layer.bias!.toFlatArray(), [0, 0]);
    layer.dispose();
  });

  it('rejects bad options naming the option', () => {
    assert.throws(() => new Linear({ inFeatures: 0, outFeatures: 2 }), /Linear: inFeatures must be a positive integer, got 0/);
    assert.throws(() => new Linear({ inFeatures: 2, outFeatures: 1.5 }), /outFeatures/);
  });
});

describe('Conv2d', () => {
  type ConvCase = { inChannels: number; outChannels: number; kernelSize: number; stride: number; padding: number; groups: number; dilation: number; bias: boolean };
  const cases = fx.config.conv as ConvCase[];

  for (const [i, c] of cases.entries()) {
    it(`matches torch.nn.Conv2d (k${c.kernelSize} stride ${c.stride} padding ${c.padding} groups ${c.groups} dilation ${c.dilation}${c.bias ? ' bias' : ''})`, () => {
      const before = liveTensors();
      const { inChannels, outChannels, kernelSize, stride, padding, groups, dilation, bias } = c;
      const layer = new Conv2d({ inChannels, outChannels, kernelSize, stride, padding, groups, dilation, bias });
      assert.deepEqual(layer.weight.shape, [outChannels, inChannels / groups, kernelSize, kernelSize]);
      checkAgainstTorch(layer, `conv${i}`);
      layer.dispose();
      assert.equal(liveTensors(), before, 'no tensor leaks');
    });
  }

  it('kaiming-normal (fan_out) init has std sqrt(2 / (out * k * k))', () => {
    const layer = new Conv2d({ inChannels: 16, outChannels: 32, kernelSize: 3 });
    const w = layer.weight.toFlatArray();
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    const expected = Math.sqrt(2 / (32 * 9));
    assert.ok(Math.abs(std - expected) < 0.05 * expected, `std ${std} vs ${expected}`);
    assert.equal(layer.bias, null, 'no bias by default');
    layer.dispose();
  });

  it('rejects channels not divisible by groups, naming both', () => {
    assert.throws(() => new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2 }), /inChannels \(3\) and outChannels \(4\) must be divisible by groups \(2\)/);
  });
});

describe('parameter-free layers', () => {
  it('pooling, flatten and identity give hand-computed values', () => {
    tidy(() => {
      const x = arange(16).float().reshape([1, 1, 4, 4]); // (1, 1, 4, 4): rows 0..3, 4..7, 8..11, 12..15
      assert.deepEqual(new MaxPool2d(2).forward(x).toFlatArray(), [5, 7, 13, 15]);
      assert.deepEqual(new AvgPool2d(2).forward(x).toFlatArray(), [2.5, 4.5, 10.5, 12.5]);
      assert.deepEqual(new MaxPool2d(3, 2, 1).forward(x).toFlatArray(), [5, 7, 13, 15]);
      assert.deepEqual(new AdaptiveAvgPool2d(1).forward(x).toFlatArray(), [7.5]);
      assert.deepEqual(new AdaptiveAvgPool2d([2, 1]).forward(x).shape, [1, 1, 2, 1]);
      assert.deepEqual(new Flatten().forward(x).shape, [1, 16]);
      assert.deepEqual(new ReLU().forward(x.sub(8)).toFlatArray().slice(7, 10), [0, 0, 1]);
      assert.equal(new Identity().forward(x), x);
    });
  });
});
