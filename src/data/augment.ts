// SimCLR augmentation pipelines on whole batches (crop+flip, colour jitter in random order, grayscale, blur),
// the fine-tune and evaluation transforms, and float conversion. Reference: tf2/data_util.py preprocess_for_train.
//
// Single-channel input (MNIST, Fashion-MNIST): brightness and contrast apply; saturation, hue and grayscale need
// three channels and are skipped (their parameters are still drawn, so the random stream does not change).
import { callInplace, tensor, tidy, type Generator, type Tensor } from '../tensor/index.js';
import { gaussianBlur, blurKernelSize } from './augment_blur.js';
import { adjustHue, brightness_, contrast_, grayscale, perSample, saturation_ } from './augment_color.js';
import { centerCrop, cropAndFlip, type CenterCropOptions } from './augment_geometry.js';
import { resolveAugmentOptions, sampleAugmentParams, type AugmentOptions, type AugmentParams, type ResolvedAugmentOptions } from './augment_params.js';

/** Fine-tuning augmentation: random resized crop and flip only (tf2 preprocess_for_train, color_distort=False). */
export const FINETUNE_AUGMENT: AugmentOptions = Object.freeze({ color: false, grayProb: 0, blur: false });

/** uint8 images (B, C, H, W) to float in [0, 1]; float input is returned as a copy. */
export function toFloatImages(x: Tensor): Tensor {
  return x.dtype === 'uint8' ? x.to('float32').div_(255) : x.to('float32').clone(); // (B, C, H, W)
}

/** (x - mean) / std per channel, e.g. ImageNet statistics; SimCLR itself feeds [0, 1] images unnormalised. */
export function normalizeImages(x: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  const C = x.size(1);
  if (mean.length !== C || std.length !== C) throw new RangeError(`normalizeImages: mean/std need ${C} values, got ${mean.length}/${std.length}`);
  return tidy(() => x.sub(tensor(Float32Array.from(mean), [1, C, 1, 1]).to(x.device)).div(tensor(Float32Array.from(std), [1, C, 1, 1]).to(x.device))); // (B, C, H, W)
}

/** Replaces rows `rows` of y (in place) by fn(y[rows]); nothing when rows is empty. */
function onRows(y: Tensor, rows: number[], fn: (sub: Tensor, rows: number[]) => Tensor): void {
  if (rows.length === 0) return;
  const index = tensor(Int32Array.from(rows), [rows.length], { dtype: 'int64' }).to(y.device); // (b,)
  callInplace(y, 'aten::index_copy_', [0, index, fn(y.indexSelect(0, index), rows)]);
}

function pick(values: ArrayLike<number>, rows: number[], stride = 1, offset = 0): number[] {
  return rows.map((b) => values[b * stride + offset]);
}

/** Colour jitter with each sample's ops in its own random order: 4 steps x 4 ops, each on the rows that need it. */
function colorJitter(y: Tensor, p: AugmentParams, r: ResolvedAugmentOptions): void {
  const rgb = y.size(1) === 3;
  for (let step = 0; step < 4; step++) {
    for (let op = 0; op < 4; op++) {
      if (!rgb && op >= 2) continue; // saturation and hue need colour
      const rows: number[] = [];
      for (let b = 0; b < p.batch; b++) if (p.colorApplied[b] && p.order[b * 4 + step] === op) rows.push(b);
      onRows(y, rows, (sub) => {
        const f = perSample(sub, pick(p.colorFactors, rows, 4, op)); // (b, 1, 1, 1)
        if (op === 0) return brightness_(sub, f); // sub is a fresh copy: in place is safe
        if (op === 1) return contrast_(sub, f, r.contrastMean);
        return op === 2 ? saturation_(sub, f) : adjustHue(sub, f);
      });
    }
  }
}

/** Applies one view's parameters to float images x (B, C, H, W) in [0, 1]; returns (B, C, outH, outW). */
export function applyAugment(x: Tensor, p: AugmentParams, r: ResolvedAugmentOptions): Tensor {
  return tidy(() => {
    const y = cropAndFlip(x, p, r.height, r.width, r.interpolation).clamp_(0, 1); // (B, C, outH, outW)
    colorJitter(y, p, r);
    const rows = (flags: Uint8Array) => Array.from(flags.keys()).filter((b) => flags[b]);
    if (y.size(1) === 3) onRows(y, rows(p.grayscale), (sub) => grayscale(sub).expand(sub.shape));
    const K = blurKernelSize(r.height);
    if (K >= 3) onRows(y, rows(p.blurApplied), (sub, picked) => gaussianBlur(sub, pick(p.sigma, picked), K));
    return y.clamp_(0, 1);
  });
}

function checkImages(x: Tensor, where: string): [number, number, number, number] {
  if (x.ndim !== 4) throw new RangeError(`${where}: images must be (B, C, H, W), got shape [${x.shape}]`);
  const [B, C, H, W] = x.shape as [number, number, number, number];
  if (C !== 1 && C !== 3) throw new RangeError(`${where}: images must have 1 or 3 channels, got ${C} (shape [${x.shape}])`);
  return [B, C, H, W];
}

/** One augmented view plus the random parameters it used (for tests and inspection). */
export function augmentWithParams(x: Tensor, options: AugmentOptions, generator: Generator): { images: Tensor; params: AugmentParams } {
  const [B, , H, W] = checkImages(x, 'augment');
  const r = resolveAugmentOptions(options, H, W);
  const params = sampleAugmentParams(B, H, W, r, generator);
  const images = tidy(() => applyAugment(toFloatImages(x), params, r));
  return { images, params };
}

/** One SimCLR view of uint8 or [0, 1] float images (B, C, H, W): float (B, C, outH, outW) in [0, 1]. */
export function simclrAugment(x: Tensor, options: AugmentOptions, generator: Generator): Tensor {
  return augmentWithParams(x, options, generator).images;
}

/** Two independent SimCLR views of the same images (the float conversion is shared). */
export function simclrViews(x: Tensor, options: AugmentOptions, generator: Generator): [Tensor, Tensor] {
  const [B, , H, W] = checkImages(x, 'simclrViews');
  const r = resolveAugmentOptions(options, H, W);
  const p1 = sampleAugmentParams(B, H, W, r, generator);
  const p2 = sampleAugmentParams(B, H, W, r, generator);
  return tidy(() => {
    const f = toFloatImages(x);
    return [applyAugment(f, p1, r), applyAugment(f, p2, r)] as [Tensor, Tensor];
  });
}

/** Fine-tuning augmentation (crop + flip); other options (size, interpolation) pass through. */
export function finetuneAugment(x: Tensor, options: AugmentOptions, generator: Generator): Tensor {
  return simclrAugment(x, { ...options, ...FINETUNE_AUGMENT }, generator);
}

/** Evaluation transform: centre crop 0.875 for large images, identity for small; float (B, C, outH, outW). */
export function evalTransform(x: Tensor, options: CenterCropOptions = {}): Tensor {
  checkImages(x, 'evalTransform');
  return tidy(() => centerCrop(toFloatImages(x), options));
}
