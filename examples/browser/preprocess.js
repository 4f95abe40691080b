// The browser demo's preprocessing, as `simclr predict` does it (src/data/decode.ts, then evalTransform in
// src/data/augment.ts): RGBA pixels -> grayscale or RGB -> cover resize to the working size -> /255 -> centre crop.
//
// Exact for an image already at the model's size (e.g. a 28x28 Fashion-MNIST PNG): then both sides skip the resize.
// Other sizes use a separable Lanczos-3 resize, close to but not bit-identical with libvips' (sharp's) resampler.

/** sRGB byte -> linear light. */
function toLinear(v) {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Linear light -> sRGB byte, as libvips' 8-bit path: a table of 256 rounded bytes, interpolated, rounded again. */
const ENCODE = Array.from({ length: 257 }, (_, i) => {
  const y = Math.min(1, i / 255);
  return Math.round(255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055));
});
function fromLinear(y) {
  const at = Math.min(255, Math.max(0, y * 255));
  const i = Math.floor(at);
  return Math.round(ENCODE[i] + (ENCODE[i + 1] - ENCODE[i]) * (at - i));
}

/**
 * Opaque RGBA bytes (alpha already composited on white) to planar channels of bytes: RGB as is, or one gray plane as
 * libvips' sRGB -> B_W (Rec. 709 luminance in linear light, gamma-encoded again; equal to sharp's on 4096 random
 * colours); gray pixels (R = G = B) are kept as they are.
 */
export function toPlanes(rgba, width, height, channels) {
  const n = width * height;
  const planes = Array.from({ length: channels }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
    if (channels === 3) {
      planes[0][i] = r;
      planes[1][i] = g;
      planes[2][i] = b;
    } else {
      planes[0][i] = r === g && g === b ? r : fromLinear(0.2126 * toLinear(r) + 0.7152 * toLinear(g) + 0.0722 * toLinear(b));
    }
  }
  return planes;
}

function lanczos3(x) {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** Resamples one axis: `count` lines of `inLen` samples (stride `step` along the axis) to `outLen` samples. */
function resampleAxis(src, inLen, outLen, lines, along) {
  const scale = inLen / outLen;
  const support = 3 * Math.max(1, scale);
  const out = new Float64Array(outLen * lines);
  for (let o = 0; o < outLen; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const lo = Math.ceil(centre - support);
    const hi = Math.floor(centre + support);
    const taps = [];
    let total = 0;
    for (let k = lo; k <= hi; k++) {
      const w = lanczos3((k - centre) / Math.max(1, scale));
      taps.push([Math.min(inLen - 1, Math.max(0, k)), w]);
      total += w;
    }
    for (let line = 0; line < lines; line++) {
      let acc = 0;
      for (const [k, w] of taps) acc += src[along(line, k, inLen)] * w;
      out[along(line, o, outLen)] = acc / total;
    }
  }
  return out;
}

/** One plane (height x width) resized to (outH x outW) with Lanczos-3, rounded to bytes as sharp's 8-bit output. */
function resizePlane(plane, width, height, outW, outH) {
  const rows = resampleAxis(plane, width, outW, height, (line, k, len) => line * len + k); // (height, outW)
  const both = resampleAxis(rows, height, outH, outW, (line, k) => k * outW + line); // (outH, outW)
  return both.map((v) => Math.min(255, Math.max(0, Math.round(v))));
}

/**
 * Cover fit as sharp's `resize(size, size, { fit: 'cover' })`: the shorter side scaled to `size`, then the centre
 * `size` x `size` kept. Planes at that size already are returned unchanged (sharp does not resample them either).
 */
export function coverResize(planes, width, height, size) {
  if (width === size && height === size) return planes;
  const scale = size / Math.min(width, height);
  const rw = Math.max(size, Math.round(width * scale));
  const rh = Math.max(size, Math.round(height * scale));
  const left = Math.floor((rw - size) / 2);
  const top = Math.floor((rh - size) / 2);
  return planes.map((p) => {
    const r = resizePlane(p, width, height, rw, rh); // (rh, rw)
    const out = new Float64Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = r[(y + top) * rw + x + left];
    return out;
  });
}

/** PyTorch's cubic convolution weights (A = -0.75) for offsets -1, 0, 1, 2 at fraction t. */
function cubicWeights(t) {
  const A = -0.75;
  const near = (x) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** F.interpolate(mode 'bicubic', alignCorners false) of one square plane (side inS) to outS x outS. */
function bicubicPlane(plane, inS, outS) {
  const scale = inS / outS;
  const taps = Array.from({ length: outS }, (_, o) => {
    const real = scale * (o + 0.5) - 0.5;
    const i = Math.floor(real);
    return { i, w: cubicWeights(real - i) };
  });
  const at = (y, x) => plane[Math.min(inS - 1, Math.max(0, y)) * inS + Math.min(inS - 1, Math.max(0, x))];
  const out = new Float64Array(outS * outS);
  for (let oy = 0; oy < outS; oy++) {
    const ty = taps[oy];
    for (let ox = 0; ox < outS; ox++) {
      const tx = taps[ox];
      let v = 0;
      for (let a = 0; a < 4; a++) {
        let row = 0;
        for (let b = 0; b < 4; b++) row += at(ty.i - 1 + a, tx.i - 1 + b) * tx.w[b];
        v += row * ty.w[a];
      }
      out[oy * outS + ox] = Math.min(1, Math.max(0, v));
    }
  }
  return out;
}

/**
 * evalTransform on one image of planes (bytes, side `size`): /255, then for sides above 32 a central square crop of
 * round(0.875 * side) resized back to `size` (bicubic), as src/data/augment_geometry.ts centerCrop.
 */
export function evalTransform(planes, size, cropFraction = 0.875, smallSide = 32) {
  const scaled = planes.map((p) => p.map((v) => v / 255));
  if (size <= smallSide) return scaled;
  const side = Math.round(cropFraction * size);
  const off = Math.floor((size - side) / 2);
  return scaled.map((p) => {
    const crop = new Float64Array(side * side);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) crop[y * side + x] = p[(y + off) * size + x + off];
    return side === size ? crop : bicubicPlane(crop, side, size);
  });
}

/** The model input (1, C, S, S) float32 from opaque RGBA pixels of any size. */
export function preprocess(rgba, width, height, { channels, size }) {
  if (channels !== 1 && channels !== 3) throw new RangeError(`model input: 1 or 3 channels, got ${channels}`);
  const planes = evalTransform(coverResize(toPlanes(rgba, width, height, channels), width, height, size), size);
  const data = new Float32Array(channels * size * size);
  planes.forEach((p, c) => data.set(p, c * size * size));
  return data;
}

/** The k most probable classes: [{ index, name, probability }], most probable first. */
export function topK(probabilities, classNames, k = 5) {
  return Array.from(probabilities, (p, index) => ({ index, name: classNames?.[index] ?? `class ${index}`, probability: p }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}
