// The SimCLR pipeline as a whole: shapes and range, seeds reproduce batches exactly, views differ,
// no tensors leak, fine-tune options, option validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, liveTensors, rand, tidy, type Tensor } from '../../src/tensor/index.js';
import { augmentWithParams, finetuneAugment, FINETUNE_AUGMENT, normalizeImages, simclrAugment, simclrViews } from '../../src/data/index.js';

function uint8Images(B: number, C: number, S: number, seed: number): Tensor {
  return tidy(() => rand([B, C, S, S], { generator: new Generator(seed) }).mul(255).round().to('uint8'));
}

function equal(a: Tensor, b: Tensor): boolean {
  return tidy(() => a.sub(b).abs().max().item() === 0);
}

describe('SimCLR augmentation pipeline', () => {
  it('returns float views in [0, 1] of the requested size, with blur on for large outputs', () => {
    const x = uint8Images(4, 3, 48, 1);
    const { images, params } = augmentWithParams(x, { size: 64 }, new Generator(2));
    assert.deepEqual(images.shape, [4, 3, 64, 64]);
    assert.equal(images.dtype, 'float32');
    const [lo, hi] = tidy(() => [images.min().item(), images.max().item()]);
    assert.ok(lo >= 0 && hi <= 1);
    assert.ok(params.sigma.length === 4);
    for (const t of [x, images]) t.dispose();
  });

  it('the same seed gives the same batch bit for bit; another seed a different one', () => {
    const x = uint8Images(8, 3, 32, 3);
    const a = simclrAugment(x, { blur: true }, new Generator(42));
    const b = simclrAugment(x, { blur: true }, new Generator(42));
    const c = simclrAugment(x, { blur: true }, new Generator(43));
    assert.ok(equal(a, b));
    assert.ok(!equal(a, c));
    for (const t of [x, a, b, c]) t.dispose();
  });

  it('two views of one image differ, and a generator\'s state reproduces the next batch', () => {
    const x = uint8Images(4, 3, 32, 4);
    const g = new Generator(5);
    const state = g.getState();
    const [v1, v2] = simclrViews(x, {}, g);
    assert.ok(!equal(v1, v2));
    g.setState(state);
    const [w1, w2] = simclrViews(x, {}, g);
    assert.ok(equal(v1, w1) && equal(v2, w2));
    for (const t of [x, v1, v2, w1, w2]) t.dispose();
  });

  it('leaves no tensors behind', () => {
    const x = uint8Images(4, 3, 40, 6);
    const g = new Generator(7);
    const before = liveTensors();
    for (let i = 0; i < 3; i++) tidy(() => { simclrViews(x, { size: 48, blur: true }, g); });
    assert.equal(liveTensors(), before);
    x.dispose();
  });

  it('fine-tune augmentation crops and flips only', () => {
    const x = uint8Images(64, 3, 32, 8);
    const { images, params } = augmentWithParams(x, FINETUNE_AUGMENT, new Generator(9));
    const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
    assert.equal(sum(params.colorApplied) + sum(params.grayscale) + sum(params.blurApplied), 0);
    assert.ok(sum(params.flip) > 10);
    const y = finetuneAugment(x, {}, new Generator(9));
    assert.ok(equal(images, y));
    for (const t of [x, images, y]) t.dispose();
  });

  it('normalises per channel', () => {
    const x = tidy(() => rand([2, 3, 4, 4]));
    const y = normalizeImages(x, [0.5, 0.4, 0.3], [0.2, 0.25, 0.5]);
    const want = tidy(() => x.narrow(1, 2, 1).sub(0.3).div(0.5));
    assert.ok(tidy(() => y.narrow(1, 2, 1).sub(want).abs().max().item()) < 1e-6);
    for (const t of [x, y, want]) t.dispose();
  });

  it('rejects bad options and shapes with clear messages', () => {
    const x = uint8Images(2, 3, 16, 10);
    const g = new Generator(0);
    assert.throws(() => simclrAugment(x, { areaRange: [0.5, 0.1] }, g), /areaRange/);
    assert.throws(() => simclrAugment(x, { colorStrength: 3 }, g), /colorStrength/);
    assert.throws(() => simclrAugment(x, { grayProb: 1.5 }, g), /grayProb/);
    const four = tidy(() => x.narrow(1, 0, 2));
    assert.throws(() => simclrAugment(four, {}, g), /1 or 3 channels/);
    for (const t of [x, four]) t.dispose();
  });
});
