// Colour distortion: factor ranges and frequencies over many samples, and each op against a per-pixel
// reference of tf.image's semantics (HSV saturation and hue, per-channel contrast), plus grayscale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, rand, tensor, tidy } from '../../src/tensor/index.js';
import { adjustContrast, adjustHue, adjustSaturation, applyAugment, augmentWithParams, grayscale, GRAY_WEIGHTS } from '../../src/data/index.js';
import { resolveAugmentOptions, sampleAugmentParams } from '../../src/data/augment_params.js';
import { column, hsvToRgb, maxAbsDiff, mean, rgbToHsv } from './helpers.js';

const N = 4000;

describe('colour parameters', () => {
  for (const s of [1, 0.5]) {
    it(`factors stay in their ranges at strength ${s}`, () => {
      const p = sampleAugmentParams(N, 32, 32, resolveAugmentOptions({ colorStrength: s }, 32, 32), new Generator(7));
      const [lo, hi] = [Math.max(0, 1 - 0.8 * s), 1 + 0.8 * s];
      for (let op = 0; op < 3; op++) {
        const f = column(p.colorFactors, 4, op);
        assert.ok(Math.min(...f) >= lo && Math.max(...f) <= hi, `op ${op} range [${Math.min(...f)}, ${Math.max(...f)}]`);
        assert.ok(Math.min(...f) < lo + 0.01 && Math.max(...f) > hi - 0.01, `op ${op} spans the range`);
        assert.ok(Math.abs(mean(f) - (lo + hi) / 2) < 0.03, `op ${op} mean ${mean(f)}`);
      }
      const hue = column(p.colorFactors, 4, 3);
      assert.ok(Math.min(...hue) >= -0.2 * s && Math.max(...hue) <= 0.2 * s);
      assert.ok(Math.abs(mean(hue)) < 0.01 * s + 0.005);
    });
  }

  it('applies the jitter with p = 0.8, grayscale with p = 0.2, each sample in its own random order', () => {
    const p = sampleAugmentParams(N, 32, 32, resolveAugmentOptions({}, 32, 32), new Generator(8));
    assert.ok(Math.abs(mean(p.colorApplied) - 0.8) < 0.025, `colour ${mean(p.colorApplied)}`);
    assert.ok(Math.abs(mean(p.grayscale) - 0.2) < 0.025, `grayscale ${mean(p.grayscale)}`);
    const firstOp = [0, 0, 0, 0];
    const orders = new Set<string>();
    for (let b = 0; b < N; b++) {
      const order = [...p.order.subarray(4 * b, 4 * b + 4)];
      assert.deepEqual([...order].sort(), [0, 1, 2, 3]);
      firstOp[order[0]]++;
      orders.add(order.join(''));
    }
    assert.equal(orders.size, 24, 'all 24 orders occur');
    for (const c of firstOp) assert.ok(Math.abs(c / N - 0.25) < 0.03, `first-op frequencies ${firstOp}`);
  });

  it('color=false and grayProb=0 switch the colour ops off', () => {
    const p = sampleAugmentParams(500, 32, 32, resolveAugmentOptions({ color: false, grayProb: 0 }, 32, 32), new Generator(9));
    assert.equal(p.colorApplied.reduce((a, b) => a + b, 0) + p.grayscale.reduce((a, b) => a + b, 0), 0);
  });
});

/** Random RGB pixels (B, 3, 4, 4) and their values as an array. */
function randomImages(B: number, seed: number) {
  const x = tidy(() => rand([B, 3, 4, 4], { generator: new Generator(seed) }));
  return { x, data: x.dataSync() as Float32Array };
}

function pixel(data: ArrayLike<number>, b: number, k: number, hw = 16): [number, number, number] {
  return [0, 1, 2].map((c) => data[(b * 3 + c) * hw + k]) as [number, number, number];
}

describe('colour ops against per-pixel references', () => {
  it('hue rotation of pure colours lands on the expected colours', () => {
    const colours = [[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5]];
    const deltas = [1 / 3, 1 / 6, -1 / 6, 1 / 3, 0.5, 0.25];
    const expected = [[0, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1], [1, 1, 0], [0.5, 0.5, 0.5]];
    const out = tidy(() => {
      const x = tensor(Float32Array.from(colours.flat()), [6, 3]).reshape([6, 3, 1, 1]);
      return adjustHue(x, tensor(Float32Array.from(deltas), [6, 1, 1, 1])).dataSync() as Float32Array;
    });
    assert.ok(maxAbsDiff(out, expected.flat()) < 1e-5, `${Array.from(out)}`);
  });

  it('hue rotation matches HSV (colorsys) per pixel', () => {
    const { x, data } = randomImages(8, 11);
    const deltas = [-0.2, -0.1, -0.05, 0, 0.03, 0.1, 0.17, 0.2];
    const out = tidy(() => adjustHue(x, tensor(Float32Array.from(deltas), [8, 1, 1, 1])).dataSync() as Float32Array);
    for (let b = 0; b < 8; b++) {
      for (let k = 0; k < 16; k++) {
        const [h, s, v] = rgbToHsv(...pixel(data, b, k));
        const want = hsvToRgb((((h + deltas[b]) % 1) + 1) % 1, s, v);
        assert.ok(maxAbsDiff(pixel(out, b, k), want) < 1e-5, `b=${b} k=${k}: ${pixel(out, b, k)} vs ${want}`);
      }
    }
    x.dispose();
  });

  it('saturation scales HSV saturation with S clipped at 1 (tf.image.adjust_saturation)', () => {
    const { x, data } = randomImages(6, 12);
    const factors = [0.2, 0.5, 1, 1.3, 1.8, 3];
    const out = tidy(() => adjustSaturation(x, tensor(Float32Array.from(factors), [6, 1, 1, 1])).dataSync() as Float32Array);
    for (let b = 0; b < 6; b++) {
      for (let k = 0; k < 16; k++) {
        const [h, s, v] = rgbToHsv(...pixel(data, b, k));
        const want = hsvToRgb(h, Math.min(1, s * factors[b]), v);
        assert.ok(maxAbsDiff(pixel(out, b, k), want) < 1e-5, `b=${b} k=${k}`);
      }
    }
    x.dispose();
  });

  it('contrast pivots on the per-channel mean (tf) or the grayscale mean (torchvision)', () => {
    const { x, data } = randomImages(2, 13);
    const f = [0.4, 1.6];
    for (const pivot of ['channel', 'gray'] as const) {
      const out = tidy(() => adjustContrast(x, tensor(Float32Array.from(f), [2, 1, 1, 1]), pivot).dataSync() as Float32Array);
      for (let b = 0; b < 2; b++) {
        const means = [0, 1, 2].map((c) => mean(data.subarray((b * 3 + c) * 16, (b * 3 + c + 1) * 16)));
        const grayMean = GRAY_WEIGHTS.reduce((acc, w, c) => acc + w * means[c], 0);
        for (let c = 0; c < 3; c++) {
          const m = pivot === 'channel' ? means[c] : grayMean;
          for (let k = 0; k < 16; k++) {
            const i = (b * 3 + c) * 16 + k;
            const want = Math.min(1, Math.max(0, (data[i] - m) * f[b] + m));
            assert.ok(Math.abs(out[i] - want) < 1e-5, `${pivot} b=${b} c=${c} k=${k}`);
          }
        }
      }
    }
    x.dispose();
  });

  it('grayscale is the tf luma, and grayscaled samples have equal channels', () => {
    const { x, data } = randomImages(1, 14);
    const g = tidy(() => grayscale(x).dataSync() as Float32Array);
    for (let k = 0; k < 16; k++) {
      const [r, gg, b] = pixel(data, 0, k);
      assert.ok(Math.abs(g[k] - (0.2989 * r + 0.587 * gg + 0.114 * b)) < 1e-6);
    }
    x.dispose();
    const imgs = tidy(() => rand([64, 3, 8, 8], { generator: new Generator(15) }));
    const { images, params } = augmentWithParams(imgs, { crop: false, flip: false, color: false, grayProb: 0.5 }, new Generator(16));
    const out = images.dataSync() as Float32Array;
    for (let b = 0; b < 64; b++) {
      const spread = maxAbsDiff(out.subarray(b * 192, b * 192 + 64), out.subarray(b * 192 + 64, b * 192 + 128));
      if (params.grayscale[b]) assert.ok(spread < 1e-6, `sample ${b} should be gray`);
      else assert.ok(spread > 0.1, `sample ${b} should keep colour`);
    }
    images.dispose();
    imgs.dispose();
  });
});

describe('colour jitter in the pipeline', () => {
  it('applies each sample\'s ops in its own order (checked against the ops applied one sample at a time)', () => {
    const imgs = tidy(() => rand([16, 3, 6, 6], { generator: new Generator(17) }));
    const options = { crop: false, flip: false, grayProb: 0, blur: false, colorProb: 1 };
    const r = resolveAugmentOptions(options, 6, 6);
    const p = sampleAugmentParams(16, 6, 6, r, new Generator(18));
    const batched = tidy(() => applyAugment(imgs, p, r).dataSync() as Float32Array);
    for (let b = 0; b < 16; b++) {
      const one = tidy(() => {
        let y = imgs.narrow(0, b, 1);
        for (const op of p.order.subarray(4 * b, 4 * b + 4)) {
          const f = tensor(Float32Array.of(p.colorFactors[4 * b + op]), [1, 1, 1, 1]);
          y = op === 0 ? y.mul(f).clamp(0, 1) : op === 1 ? adjustContrast(y, f, 'channel') : op === 2 ? adjustSaturation(y, f) : adjustHue(y, f);
        }
        return y.dataSync() as Float32Array;
      });
      assert.ok(maxAbsDiff(batched.subarray(b * 108, (b + 1) * 108), one) < 1e-5, `sample ${b}`);
    }
    imgs.dispose();
  });

  it('single-channel images: brightness and contrast apply, colour-only ops are skipped (= gray RGB)', () => {
    const gray = tidy(() => rand([32, 1, 8, 8], { generator: new Generator(19) }));
    const rgb = tidy(() => gray.expand([32, 3, 8, 8]).contiguous());
    const options = { crop: false, flip: false, blur: false };
    const a = augmentWithParams(gray, options, new Generator(20));
    const b = augmentWithParams(rgb, options, new Generator(20));
    assert.deepEqual(a.images.shape, [32, 1, 8, 8]);
    const diff = tidy(() => a.images.sub(b.images.narrow(1, 0, 1)).abs().max().item());
    assert.ok(diff < 1e-3, `1-channel vs gray RGB: ${diff}`); // luma weights sum to 0.9999
    const changed = tidy(() => a.images.sub(gray).abs().amax([1, 2, 3]).gt(1e-3).sum().item());
    assert.ok(changed > 16, `${changed} of 32 changed`);
    for (const t of [gray, rgb, a.images, b.images]) t.dispose();
  });
});
