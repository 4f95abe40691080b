// Random crop from zero padding + flip: hand-computed crops of a 3x3 image, parameter statistics, uint8 input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPadCrop, padCropAugment, samplePadCropParams, type PadCropParams } from '../../src/data/augment_pad_crop.js';
import { Generator, liveTensors, tensor, tidy } from '../../src/tensor/index.js';

/** Two images of 2 channels, 3x3: channel 0 holds 1..9 row by row, channel 1 ten times that. */
const IMAGES = Float32Array.from({ length: 2 * 2 * 9 }, (_, k) => ((k % 9) + 1) * (Math.floor(k / 9) % 2 === 0 ? 1 : 10));

function crop(p: Omit<PadCropParams, 'batch'>, padding: number): number[][] {
  const out = tidy(() => applyPadCrop(tensor(IMAGES, [2, 2, 3, 3]), { batch: 2, ...p }, padding).toFlatArray());
  return [0, 1, 2, 3].map((k) => Array.from(out.slice(9 * k, 9 * k + 9)));
}

describe('pad and crop', () => {
  it('crops the zero-padded image at the given offsets, flipping the crop (hand-computed)', () => {
    const before = liveTensors();
    // Image 0: offset (0, 0), no flip = the top-left 3x3 of the padded 5x5. Image 1: dx 2, dy 1, flipped.
    const [a0, a1, b0, b1] = crop({ dx: Int32Array.of(0, 2), dy: Int32Array.of(0, 1), flip: Uint8Array.of(0, 1) }, 1);
    assert.deepEqual(a0, [0, 0, 0, 0, 1, 2, 0, 4, 5]);
    assert.deepEqual(a1, [0, 0, 0, 0, 10, 20, 0, 40, 50]);
    // rows 1..3 of the padded image = rows 0..2; columns 4, 3, 2 of it = (padding), 3, 2 of the image.
    assert.deepEqual(b0, [0, 3, 2, 0, 6, 5, 0, 9, 8]);
    assert.deepEqual(b1, [0, 30, 20, 0, 60, 50, 0, 90, 80]);
    // The centre offset without a flip is the identity; padding 0 too.
    const [c0] = crop({ dx: Int32Array.of(1, 1), dy: Int32Array.of(1, 1), flip: Uint8Array.of(0, 0) }, 1);
    assert.deepEqual(c0, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const [d0] = crop({ dx: Int32Array.of(0, 0), dy: Int32Array.of(0, 0), flip: Uint8Array.of(1, 0) }, 0);
    assert.deepEqual(d0, [3, 2, 1, 6, 5, 4, 9, 8, 7]);
    // Offset 2p: the bottom-right corner.
    const [e0] = crop({ dx: Int32Array.of(4, 0), dy: Int32Array.of(4, 0), flip: Uint8Array.of(0, 0) }, 2);
    assert.deepEqual(e0, [9, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(liveTensors(), before);
  });

  it('refuses offsets outside the padding and a batch of another size', () => {
    assert.throws(() => crop({ dx: Int32Array.of(3, 0), dy: Int32Array.of(0, 0), flip: Uint8Array.of(0, 0) }, 1), /offset \(3, 0\) of image 0 outside 0\.\.2/);
    assert.throws(() => tidy(() => applyPadCrop(tensor(IMAGES, [2, 2, 3, 3]), { batch: 1, dx: Int32Array.of(0), dy: Int32Array.of(0), flip: Uint8Array.of(0) }, 1)), /parameters for 1 images, batch of 2/);
    assert.throws(() => samplePadCropParams(2, { padding: -1 }, new Generator(0)), /padding must be a non-negative integer/);
  });

  it('draws every offset in 0..2p about equally often and flips about half', () => {
    const N = 9000;
    const p = samplePadCropParams(N, { padding: 4 }, new Generator(3));
    for (const offsets of [p.dx, p.dy]) {
      const counts = new Array(9).fill(0);
      for (const v of offsets) counts[v]++;
      for (const c of counts) assert.ok(Math.abs(c - N / 9) < 0.15 * (N / 9), `offset counts ${counts}`);
    }
    const flips = p.flip.reduce((a, b) => a + b, 0) / N;
    assert.ok(Math.abs(flips - 0.5) < 0.03, `flip frequency ${flips}`);
    assert.equal(samplePadCropParams(100, { padding: 4, flip: false }, new Generator(3)).flip.reduce((a, b) => a + b, 0), 0);
  });

  it('turns uint8 images into [0, 1] floats of the same shape, reproducibly from the generator', () => {
    const before = liveTensors();
    const x = tensor(Uint8Array.from({ length: 4 * 28 * 28 }, (_, k) => k % 256), [4, 1, 28, 28]);
    const [a, b] = [new Generator(5), new Generator(5)].map((g) => tidy(() => padCropAugment(x, { padding: 4 }, g)));
    assert.deepEqual(a.shape, [4, 1, 28, 28]);
    assert.equal(a.dtype, 'float32');
    const values = a.toFlatArray();
    assert.ok(values.every((v) => v >= 0 && v <= 1));
    assert.deepEqual(values, b.toFlatArray());
    for (const t of [x, a, b]) t.dispose();
    assert.equal(liveTensors(), before);
  });
});
