// Batched colour ops on float images (B, C, H, W) in [0, 1] with per-sample factors (B, 1, 1, 1), following
// tf.image semantics as google-research/simclr tf2/data_util.py uses them (clip to [0, 1] after each op).
// The `_` versions work in place on a tensor the caller owns (fewer large allocations); the others copy.
import { callTensor, tensor, type Tensor } from '../tensor/index.js';

/** ITU-R 601 luma weights of tf.image.rgb_to_grayscale (torchvision uses 0.299, 0.587, 0.114). */
export const GRAY_WEIGHTS = [0.2989, 0.587, 0.114] as const;

/** Per-sample factors as a (B, 1, 1, 1) tensor on x's device. */
export function perSample(x: Tensor, values: ArrayLike<number>): Tensor {
  return tensor(Float32Array.from(values), [values.length, 1, 1, 1]).to(x.device); // (B, 1, 1, 1)
}

function minOverChannels(x: Tensor): Tensor {
  return callTensor('aten::amin', [x, [1], true]); // (B, 1, H, W)
}

/** Luma (B, 1, H, W) of RGB images (B, 3, H, W). */
export function grayscale(x: Tensor): Tensor {
  const w = tensor(Float32Array.from(GRAY_WEIGHTS), [1, 3, 1, 1]).to(x.device); // (1, 3, 1, 1)
  return x.mul(w).sum(1, true); // (B, 1, H, W)
}

/** Brightness, SimCLRv2 style: x * f (tf2 random_brightness impl='simclrv2'). In place. */
export function brightness_(x: Tensor, f: Tensor): Tensor {
  return x.mul_(f).clamp_(0, 1);
}

/**
 * Contrast: (x - m) * f + m. 'channel': m = each channel's spatial mean (tf.image.adjust_contrast);
 * 'gray': m = mean of the grayscale image (torchvision adjust_contrast). In place.
 */
export function contrast_(x: Tensor, f: Tensor, pivot: 'channel' | 'gray'): Tensor {
  const source = pivot === 'gray' && x.size(1) === 3 ? grayscale(x) : x;
  const mean = source.mean([2, 3], true); // (B, C or 1, 1, 1)
  return x.sub_(mean).mul_(f).add_(mean).clamp_(0, 1);
}

/**
 * Saturation exactly as tf.image.adjust_saturation (HSV: S' = min(S * f, 1), H and V kept), in closed form:
 * each channel moves away from V = max(R, G, B) by min(f, 1/S) with 1/S = V / (V - min). In place.
 */
export function saturation_(x: Tensor, f: Tensor): Tensor {
  const v = x.amax(1, true); // (B, 1, H, W)
  const chroma = v.sub(minOverChannels(x)); // (B, 1, H, W)
  const scale = v.div(chroma.clampMin(1e-8)).minimum(f.expandAs(v)); // (B, 1, H, W)  min(f, 1 / S)
  return x.sub_(v).mul_(scale).add_(v).clamp_(0, 1); // v - (v - x) * scale
}

/** x mod 6 in [0, 6) via floor (faster than aten::remainder on CPU). */
function mod6(x: Tensor): Tensor {
  return x.sub(x.div(6).floor().mul_(6)); // same shape as x
}

/**
 * Hue rotation exactly as tf.image.adjust_hue (HSV space): H' = H + delta (mod 1), S and V kept.
 * rgb->hsv as colorsys/tf (ties go to red, then green); hsv->rgb in closed form:
 * c = V - chroma * clamp(min(k, 4 - k), 0, 1) with k = (n_c + 6H') mod 6, n = 5, 3, 1. Returns a new tensor.
 */
export function adjustHue(x: Tensor, delta: Tensor): Tensor {
  const [r, g, b] = [0, 1, 2].map((c) => x.narrow(1, c, 1)); // (B, 1, H, W) views
  const v = x.amax(1, true); // (B, 1, H, W)
  const chroma = v.sub(minOverChannels(x)); // (B, 1, H, W)
  const safe = chroma.clampMin(1e-8); // (B, 1, H, W)
  const hueG = b.sub(r).div_(safe).add_(2); // (B, 1, H, W): 6H when green is the max
  const hueB = r.sub(g).div_(safe).add_(4); // (B, 1, H, W): 6H when blue is the max
  const hueR = g.sub(b).div_(safe); // (B, 1, H, W): 6H when red is the max
  const hue6 = hueR.where(r.eq(v), hueG.where(g.eq(v), hueB)).add_(delta.mul(6)); // (B, 1, H, W)
  const n = tensor(Float32Array.of(5, 3, 1), [1, 3, 1, 1]).to(x.device); // (1, 3, 1, 1)
  const k = mod6(mod6(hue6).add(n)); // (B, 3, H, W)
  const ramp = k.neg().add_(4).minimum(k).clamp_(0, 1); // (B, 3, H, W)  clamp(min(k, 4 - k), 0, 1)
  return ramp.mul_(chroma).mul_(-1).add_(v).clamp_(0, 1); // (B, 3, H, W)  v - chroma * ramp
}

/** Brightness on a copy. */
export function adjustBrightness(x: Tensor, f: Tensor): Tensor {
  return brightness_(x.clone(), f);
}

/** Contrast on a copy. */
export function adjustContrast(x: Tensor, f: Tensor, pivot: 'channel' | 'gray'): Tensor {
  return contrast_(x.clone(), f, pivot);
}

/** Saturation on a copy. */
export function adjustSaturation(x: Tensor, f: Tensor): Tensor {
  return saturation_(x.clone(), f);
}
