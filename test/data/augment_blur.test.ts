// Gaussian blur: kernel size rule, an impulse's response equals the Gaussian kernel, per-sample sigmas,
// and the blur probability / sigma range / 'auto' switch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, tidy, zeros } from '../../src/tensor/index.js';
import { blurKernelSize, gaussianBlur } from '../../src/data/index.js';
import { resolveAugmentOptions, sampleAugmentParams } from '../../src/data/augment_params.js';
import { mean } from './helpers.js';

function gaussian1d(sigma: number, size: number): number[] {
  const r = (size - 1) / 2;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

describe('gaussian blur', () => {
  it('kernel size is side // 10 made odd, as the official code', () => {
    assert.deepEqual([224, 96, 64, 32, 28, 19].map(blurKernelSize), [23, 9, 7, 3, 3, 1]);
  });

  it('blurs an impulse into the separable Gaussian kernel, one sigma per sample', () => {
    const sigmas = [0.1, 0.7, 1.3, 2.0];
    const [B, C, S, K] = [4, 3, 33, 9];
    const x = tidy(() => {
      const z = zeros([B, C, S, S]);
      z.narrow(2, 16, 1).narrow(3, 16, 1).fill_(1);
      return z;
    });
    const out = tidy(() => gaussianBlur(x, sigmas, K).dataSync() as Float32Array);
    for (let b = 0; b < B; b++) {
      const g = gaussian1d(sigmas[b], K);
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < S; i++) {
          for (let j = 0; j < S; j++) {
            const [di, dj] = [i - 16 + 4, j - 16 + 4];
            const want = di >= 0 && di < K && dj >= 0 && dj < K ? g[di] * g[dj] : 0;
            const got = out[((b * C + c) * S + i) * S + j];
            assert.ok(Math.abs(got - want) < 1e-6, `b=${b} c=${c} (${i},${j}): ${got} vs ${want}`);
          }
        }
      }
    }
    x.dispose();
  });

  it('keeps a constant image constant (reflect padding, normalised kernel)', () => {
    const x = tidy(() => zeros([2, 3, 20, 20]).add(0.6));
    const diff = tidy(() => gaussianBlur(x, [1.9, 0.5], 7).sub(0.6).abs().max().item());
    assert.ok(diff < 1e-6);
    x.dispose();
  });

  it('is applied with p = 0.5, sigma in [0.1, 2.0], and only for outputs above 32x32 by default', () => {
    const r = resolveAugmentOptions({}, 224, 224);
    const p = sampleAugmentParams(4000, 224, 224, r, new Generator(21));
    assert.ok(Math.abs(mean(p.blurApplied) - 0.5) < 0.03);
    const sig = Array.from(p.sigma);
    assert.ok(Math.min(...sig) >= 0.1 && Math.max(...sig) <= 2 && Math.min(...sig) < 0.11 && Math.max(...sig) > 1.99);
    assert.equal(resolveAugmentOptions({}, 32, 32).blur, false);
    assert.equal(resolveAugmentOptions({ size: 64 }, 32, 32).blur, true);
    assert.equal(resolveAugmentOptions({ blur: true }, 32, 32).blur, true);
  });
});
