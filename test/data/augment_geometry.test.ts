// Random resized crop + flip: parameter statistics over many samples and the affine sampling itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arange, Generator, liveTensors, stack, tidy, type Tensor } from '../../src/tensor/index.js';
import { applyAugment, centerCrop, evalTransform } from '../../src/data/index.js';
import { resolveAugmentOptions, sampleAugmentParams } from '../../src/data/augment_params.js';
import { column, mean } from './helpers.js';

const N = 4000;

describe('random resized crop parameters', () => {
  for (const [H, W] of [[32, 32], [224, 160]]) {
    it(`areas in [0.08, 1], aspect ratios in [3/4, 4/3], boxes inside a ${H}x${W} image`, () => {
      const r = resolveAugmentOptions({}, H, W);
      const p = sampleAugmentParams(N, H, W, r, new Generator(1));
      const areas: number[] = [];
      for (let b = 0; b < N; b++) {
        const [x0, y0, w, h] = p.crop.subarray(4 * b, 4 * b + 4);
        const area = w * h;
        const ratio = (w * W) / (h * H);
        areas.push(area);
        assert.ok(area >= 0.08 - 1e-9 && area <= 1 + 1e-9, `area ${area}`);
        assert.ok(ratio >= 3 / 4 - 1e-9 && ratio <= 4 / 3 + 1e-9, `ratio ${ratio}`);
        assert.ok(x0 >= 0 && y0 >= 0 && x0 + w <= 1 + 1e-9 && y0 + h <= 1 + 1e-9, `box ${[x0, y0, w, h]}`);
      }
      assert.ok(Math.min(...areas) < 0.1 && Math.max(...areas) > 0.85, 'areas span the range'); // 224x160 cannot exceed 0.95 at ratio >= 3/4
      const m = mean(areas);
      assert.ok(m > 0.4 && m < 0.65, `mean area ${m}`);
    });
  }

  it('flips about half the samples; crop=false and flip=false give the identity box', () => {
    const p = sampleAugmentParams(N, 32, 32, resolveAugmentOptions({}, 32, 32), new Generator(2));
    const f = mean(p.flip);
    assert.ok(Math.abs(f - 0.5) < 0.03, `flip frequency ${f}`);
    const q = sampleAugmentParams(100, 32, 32, resolveAugmentOptions({ crop: false, flip: false }, 32, 32), new Generator(2));
    assert.deepEqual([...q.crop.subarray(0, 8)], [0, 0, 1, 1, 0, 0, 1, 1]);
    assert.equal(q.flip.reduce((a, b) => a + b, 0), 0);
  });

  it('falls back to a clamped centre crop for extreme aspect ratios', () => {
    const p = sampleAugmentParams(2000, 10, 200, resolveAugmentOptions({ areaRange: [0.9, 1] }, 10, 200), new Generator(3));
    const [x0, y0, w, h] = p.crop.subarray(0, 4);
    assert.ok(Math.abs((w * 200) / (h * 10) - 4 / 3) < 1e-9, 'ratio clamped to 4/3');
    assert.ok(Math.abs(x0 - (1 - w) / 2) < 1e-12 && y0 === 0 && h === 1);
  });

  it('different samples get different crops', () => {
    const p = sampleAugmentParams(256, 32, 32, resolveAugmentOptions({}, 32, 32), new Generator(4));
    const boxes = new Set(Array.from({ length: 256 }, (_, b) => p.crop.subarray(4 * b, 4 * b + 4).join(',')));
    assert.equal(boxes.size, 256);
  });
});

/** Images whose channel 0 is the pixel-centre x coordinate and channel 1 the y coordinate, as fractions. */
function coordinateImages(B: number, H: number, W: number): Tensor {
  return tidy(() => {
    const xs = arange(0, W, 1, { dtype: 'float32' }).add(0.5).div(W).reshape([1, W]).expand([H, W]);
    const ys = arange(0, H, 1, { dtype: 'float32' }).add(0.5).div(H).reshape([H, 1]).expand([H, W]);
    return stack([xs, ys, xs.mul(0)], 0).unsqueeze(0).expand([B, 3, H, W]).contiguous(); // (B, 3, H, W)
  });
}

describe('crop and flip sampling', () => {
  it('samples exactly the crop box (bilinear, flipped or not)', () => {
    const [B, H, W, outH, outW] = [64, 40, 48, 20, 24];
    const options = { size: [outH, outW] as [number, number], color: false, grayProb: 0, blur: false, interpolation: 'bilinear' as const };
    const r = resolveAugmentOptions(options, H, W);
    const p = sampleAugmentParams(B, H, W, r, new Generator(5));
    const x = coordinateImages(B, H, W);
    const out = tidy(() => applyAugment(x, p, r).dataSync() as Float32Array); // (B, 3, outH, outW)
    let checked = 0;
    for (let b = 0; b < B; b++) {
      const [x0, y0, w, h] = p.crop.subarray(4 * b, 4 * b + 4);
      for (let i = 0; i < outH; i++) {
        for (let j = 0; j < outW; j++) {
          const u = (j + 0.5) / outW;
          const ex = x0 + (p.flip[b] ? 1 - u : u) * w;
          const ey = y0 + ((i + 0.5) / outH) * h;
          if (ex < 0.5 / W || ex > 1 - 0.5 / W || ey < 0.5 / H || ey > 1 - 0.5 / H) continue; // border clamp region
          const base = ((b * 3) * outH + i) * outW + j;
          assert.ok(Math.abs(out[base] - ex) < 1e-4, `x at b=${b} (${i},${j}): ${out[base]} vs ${ex}`);
          assert.ok(Math.abs(out[base + outH * outW] - ey) < 1e-4, `y at b=${b} (${i},${j})`);
          checked++;
        }
      }
    }
    assert.ok(checked > B * outH * outW * 0.8);
    x.dispose();
  });
});

describe('evaluation transform', () => {
  it('is the identity (as float) for small images', () => {
    const x = tidy(() => arange(0, 2 * 3 * 32 * 32, 1).remainder(256).to('uint8').reshape([2, 3, 32, 32]));
    const before = liveTensors();
    const y = evalTransform(x);
    assert.deepEqual(y.shape, [2, 3, 32, 32]);
    const diff = tidy(() => y.sub(x.to('float32').div(255)).abs().max().item());
    assert.equal(diff, 0);
    y.dispose();
    assert.equal(liveTensors(), before);
    x.dispose();
  });

  it('centre-crops 0.875 of a large image and resizes to the requested size', () => {
    const x = coordinateImages(1, 64, 64);
    const exact = tidy(() => centerCrop(x, { size: 56 }).sub(x.narrow(2, 4, 56).narrow(3, 4, 56)).abs().max().item());
    assert.equal(exact, 0);
    const resized = tidy(() => centerCrop(x, { size: 64 }).dataSync() as Float32Array); // crop 56 -> 64
    const centre = resized[32 * 64 + 32];
    assert.ok(Math.abs(centre - (4 + ((32 + 0.5) * 56) / 64) / 64) < 2e-3, `centre x ${centre}`);
    x.dispose();
  });
});
