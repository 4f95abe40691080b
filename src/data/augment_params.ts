// SimCLR augmentation options and per-sample random parameters, drawn in one libtorch call from a Generator
// so a seed reproduces a batch exactly. Reference: google-research/simclr tf2/data_util.py; DESIGN.md section 4.
import { rand, tidy, type Generator } from '../tensor/index.js';

export interface AugmentOptions {
  /** Output side (square) or [height, width]; default: the input's size. */
  size?: number | [number, number];
  /** Random resized crop (default true); false resizes the whole image. */
  crop?: boolean;
  /** Crop area as a fraction of the image (default [0.08, 1]). */
  areaRange?: [number, number];
  /** Crop aspect ratio width/height, drawn log-uniformly (default [3/4, 4/3]). */
  ratioRange?: [number, number];
  /** Resampling of the crop (default 'bicubic', as the official code). */
  interpolation?: 'bicubic' | 'bilinear';
  /** Horizontal flip with probability 0.5 (default true). */
  flip?: boolean;
  /** Colour distortion on/off (default true). */
  color?: boolean;
  /** Colour strength s: brightness/contrast/saturation 1 +- 0.8s, hue +- 0.2s (default 1.0; CIFAR recipe 0.5). */
  colorStrength?: number;
  /** Probability of the colour jitter (default 0.8). */
  colorProb?: number;
  /** Probability of converting to grayscale (default 0.2; 0 = never). */
  grayProb?: number;
  /** Gaussian blur: true, false, or 'auto' (default) = on for outputs larger than 32x32. No effect below 20 px (kernel size 1). */
  blur?: boolean | 'auto';
  /** Probability of the blur (default 0.5). */
  blurProb?: number;
  /** Blur sigma range in pixels (default [0.1, 2.0]). */
  sigmaRange?: [number, number];
  /** Contrast pivot: 'channel' (default) = per-channel image mean, as tf.image.adjust_contrast; 'gray' = mean of the grayscale image, as torchvision. */
  contrastMean?: 'channel' | 'gray';
}

export type ResolvedAugmentOptions = Required<Omit<AugmentOptions, 'size' | 'blur'>> & { height: number; width: number; blur: boolean };

/** Fills defaults, resolves the output size against the input, and validates ranges. */
export function resolveAugmentOptions(o: AugmentOptions, inputHeight: number, inputWidth: number): ResolvedAugmentOptions {
  const [height, width] = o.size === undefined ? [inputHeight, inputWidth] : typeof o.size === 'number' ? [o.size, o.size] : o.size;
  const r: ResolvedAugmentOptions = {
    height, width,
    crop: o.crop ?? true, areaRange: o.areaRange ?? [0.08, 1], ratioRange: o.ratioRange ?? [3 / 4, 4 / 3],
    interpolation: o.interpolation ?? 'bicubic', flip: o.flip ?? true,
    color: o.color ?? true, colorStrength: o.colorStrength ?? 1, colorProb: o.colorProb ?? 0.8, grayProb: o.grayProb ?? 0.2,
    blur: o.blur === undefined || o.blur === 'auto' ? Math.min(height, width) > 32 : o.blur,
    blurProb: o.blurProb ?? 0.5, sigmaRange: o.sigmaRange ?? [0.1, 2], contrastMean: o.contrastMean ?? 'channel',
  };
  validate(r);
  return r;
}

function validate(r: ResolvedAugmentOptions): void {
  const range = (name: string, [lo, hi]: [number, number], min: number, max: number) => {
    if (!(lo >= min && hi <= max && lo <= hi)) throw new RangeError(`augment: ${name} must satisfy ${min} <= lo <= hi <= ${max}, got [${lo}, ${hi}]`);
  };
  if (!(Number.isInteger(r.height) && r.height > 0 && Number.isInteger(r.width) && r.width > 0)) throw new RangeError(`augment: size must be positive integers, got ${r.height}x${r.width}`);
  range('areaRange', r.areaRange, 1e-6, 1);
  range('ratioRange', r.ratioRange, 1e-3, 1e3);
  range('sigmaRange', r.sigmaRange, 1e-3, 1e3);
  for (const p of ['colorProb', 'grayProb', 'blurProb'] as const) {
    if (!(r[p] >= 0 && r[p] <= 1)) throw new RangeError(`augment: ${p} must be in [0, 1], got ${r[p]}`);
  }
  if (!(r.colorStrength >= 0 && 0.2 * r.colorStrength <= 0.5)) throw new RangeError(`augment: colorStrength must be in [0, 2.5] (hue shift 0.2s <= 0.5), got ${r.colorStrength}`);
  if (r.interpolation !== 'bicubic' && r.interpolation !== 'bilinear') throw new TypeError(`augment: interpolation must be 'bicubic' or 'bilinear', got '${r.interpolation as string}'`);
  if (r.contrastMean !== 'channel' && r.contrastMean !== 'gray') throw new TypeError(`augment: contrastMean must be 'channel' or 'gray', got '${r.contrastMean as string}'`);
}

/** Colour ops in the order the per-sample permutation indexes them. */
export const COLOR_OPS = ['brightness', 'contrast', 'saturation', 'hue'] as const;

/** Per-sample parameters of one augmented view (B samples). */
export interface AugmentParams {
  batch: number;
  /** (B, 4): crop box x0, y0, w, h as fractions of the input width / height. */
  crop: Float64Array;
  /** (B,): 1 = mirrored left-right. */
  flip: Uint8Array;
  /** (B,): 1 = colour jitter applied (probability colorProb). */
  colorApplied: Uint8Array;
  /** (B, 4): index into COLOR_OPS of the op applied at each of the 4 steps (a permutation per sample). */
  order: Uint8Array;
  /** (B, 4): brightness, contrast and saturation factors, and the hue shift as a fraction of the colour circle. */
  colorFactors: Float64Array;
  /** (B,): 1 = converted to grayscale. */
  grayscale: Uint8Array;
  /** (B,): 1 = blurred. */
  blurApplied: Uint8Array;
  /** (B,): blur sigma in output pixels. */
  sigma: Float64Array;
}

const ATTEMPTS = 10;
const COLUMNS = 2 * ATTEMPTS + 15; // crop attempts, crop position, flip, colour, order keys, factors, gray, blur, sigma

/**
 * Draws the parameters of one view for B images of size inH x inW with a single `rand` call, then derives them in
 * JavaScript per sample (no per-pixel work). Draws do not depend on which ops are enabled, so turning an op off does
 * not change the others' parameters.
 */
export function sampleAugmentParams(batch: number, inH: number, inW: number, r: ResolvedAugmentOptions, generator: Generator): AugmentParams {
  const u = tidy(() => rand([batch, COLUMNS], { generator, dtype: 'float64' }).dataSync() as Float64Array); // (B, COLUMNS)
  const p: AugmentParams = {
    batch, crop: new Float64Array(batch * 4), flip: new Uint8Array(batch), colorApplied: new Uint8Array(batch),
    order: new Uint8Array(batch * 4), colorFactors: new Float64Array(batch * 4), grayscale: new Uint8Array(batch),
    blurApplied: new Uint8Array(batch), sigma: new Float64Array(batch),
  };
  const s = r.colorStrength;
  const lo = Math.max(0, 1 - 0.8 * s);
  const hi = 1 + 0.8 * s;
  for (let b = 0; b < batch; b++) {
    const row = u.subarray(b * COLUMNS, (b + 1) * COLUMNS);
    p.crop.set(r.crop ? cropBox(row, inH, inW, r) : [0, 0, 1, 1], b * 4);
    p.flip[b] = Number(r.flip && row[22] < 0.5);
    p.colorApplied[b] = Number(r.color && s > 0 && row[23] < r.colorProb);
    p.order.set(argsort(row.subarray(24, 28)), b * 4);
    p.colorFactors.set([lo + (hi - lo) * row[28], lo + (hi - lo) * row[29], lo + (hi - lo) * row[30], 0.2 * s * (2 * row[31] - 1)], b * 4);
    p.grayscale[b] = Number(row[32] < r.grayProb);
    p.blurApplied[b] = Number(r.blur && row[33] < r.blurProb);
    p.sigma[b] = r.sigmaRange[0] + (r.sigmaRange[1] - r.sigmaRange[0]) * row[34];
  }
  return p;
}

/**
 * Random resized crop box [x0, y0, w, h] (fractions), as torchvision's RandomResizedCrop.get_params: up to 10
 * attempts with area ~ U(areaRange) * H * W and log-uniform aspect ratio, else a centre crop with the ratio clamped.
 * Coordinates are continuous (sub-pixel); the affine grid samples them exactly.
 */
function cropBox(row: Float64Array, inH: number, inW: number, r: ResolvedAugmentOptions): number[] {
  const area = inH * inW;
  const [logLo, logHi] = [Math.log(r.ratioRange[0]), Math.log(r.ratioRange[1])];
  for (let k = 0; k < ATTEMPTS; k++) {
    const target = area * (r.areaRange[0] + (r.areaRange[1] - r.areaRange[0]) * row[2 * k]);
    const ratio = Math.exp(logLo + (logHi - logLo) * row[2 * k + 1]);
    const w = Math.sqrt(target * ratio);
    const h = Math.sqrt(target / ratio);
    if (w <= inW && h <= inH) return [(row[20] * (inW - w)) / inW, (row[21] * (inH - h)) / inH, w / inW, h / inH];
  }
  const inRatio = inW / inH;
  const w = inRatio < r.ratioRange[0] ? inW : inRatio > r.ratioRange[1] ? inH * r.ratioRange[1] : inW;
  const h = inRatio < r.ratioRange[0] ? inW / r.ratioRange[0] : inRatio > r.ratioRange[1] ? inH : inH;
  return [(inW - w) / 2 / inW, (inH - h) / 2 / inH, w / inW, h / inH];
}

function argsort(keys: Float64Array): number[] {
  return [0, 1, 2, 3].sort((a, b) => keys[a] - keys[b]);
}
