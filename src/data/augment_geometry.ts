// Batched geometry: random resized crop + horizontal flip as ONE affine grid + grid_sample per batch, and the
// evaluation centre crop. Reference: torchvision RandomResizedCrop; tf2/data_util.py center_crop (0.875).
import { F, tensor, type Tensor } from '../tensor/index.js';
import type { AugmentParams } from './augment_params.js';

/**
 * Affine matrices (B, 2, 3) mapping output coordinates in [-1, 1] to the crop box in input coordinates
 * (align_corners=false: -1 and 1 are the outer pixel edges); a flip negates the x scale.
 */
export function cropThetas(p: AugmentParams): Tensor {
  const theta = new Float32Array(p.batch * 6);
  for (let b = 0; b < p.batch; b++) {
    const [x0, y0, w, h] = p.crop.subarray(b * 4, b * 4 + 4);
    const sx = p.flip[b] ? -w : w;
    theta.set([sx, 0, 2 * x0 + w - 1, 0, h, 2 * y0 + h - 1], b * 6);
  }
  return tensor(theta, [p.batch, 2, 3]); // (B, 2, 3)
}

/** Crops, flips and resizes float images x (B, C, H, W) to (B, C, outH, outW) in one grid_sample. */
export function cropAndFlip(x: Tensor, p: AugmentParams, outH: number, outW: number, mode: 'bicubic' | 'bilinear'): Tensor {
  const [B, C] = x.shape;
  const theta = cropThetas(p).to(x.device); // (B, 2, 3)
  const grid = F.affineGrid(theta, [B, C, outH, outW], false); // (B, outH, outW, 2)
  return F.gridSample(x, grid, { mode, paddingMode: 'border', alignCorners: false }); // (B, C, outH, outW)
}

export interface CenterCropOptions {
  /** Output side or [height, width]; default: the input's size. */
  size?: number | [number, number];
  /** Side of the central square crop as a fraction of the shorter side (default 0.875). */
  cropFraction?: number;
  /** Images whose shorter side is at most this are not cropped (default 32: CIFAR, MNIST). */
  smallSide?: number;
}

/**
 * Evaluation transform on float images (B, C, H, W): for large images a central square crop of cropFraction of the
 * shorter side resized (bicubic) to the output size, as the official code; small images are only resized if needed.
 */
export function centerCrop(x: Tensor, o: CenterCropOptions = {}): Tensor {
  const [, , H, W] = x.shape;
  const [outH, outW] = o.size === undefined ? [H, W] : typeof o.size === 'number' ? [o.size, o.size] : o.size;
  const fraction = o.cropFraction ?? 0.875;
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`centerCrop: cropFraction must be in (0, 1], got ${fraction}`);
  const small = Math.min(H, W) <= (o.smallSide ?? 32);
  const side = small ? 0 : Math.round(fraction * Math.min(H, W));
  const cropped = small ? x : x.narrow(2, Math.floor((H - side) / 2), side).narrow(3, Math.floor((W - side) / 2), side); // (B, C, s, s)
  const [h, w] = [cropped.size(2), cropped.size(3)];
  if (h === outH && w === outW) return cropped === x ? x.clone() : cropped.contiguous();
  return F.interpolate(cropped, { size: [outH, outW], mode: 'bicubic', alignCorners: false }).clamp(0, 1); // (B, C, outH, outW)
}
