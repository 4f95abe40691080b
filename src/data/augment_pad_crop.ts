// Random crop from zero padding + horizontal flip on whole batches: the standard small-image supervised augmentation
// (torchvision RandomCrop(size, padding=p) + RandomHorizontalFlip), as one pad and two gathers per batch, exact pixels.
import { F, rand, tensor, tidy, type Generator, type Tensor } from '../tensor/index.js';
import { toFloatImages } from './augment.js';

export interface PadCropOptions {
  /** Zero pixels added on every side before the crop of the input's size (default 4). */
  padding?: number;
  /** Horizontal flip with probability 0.5 (default true). */
  flip?: boolean;
}

/** Per-sample crop offsets into the padded image (0..2*padding) and flips. */
export interface PadCropParams {
  batch: number;
  dx: Int32Array;
  dy: Int32Array;
  flip: Uint8Array;
}

function checkPadding(padding: number): number {
  if (!(Number.isInteger(padding) && padding >= 0)) throw new RangeError(`padCrop: padding must be a non-negative integer, got ${padding}`);
  return padding;
}

/** Draws offsets uniform in {0, ..., 2*padding} and flips with p = 0.5, in one libtorch call from `generator`. */
export function samplePadCropParams(batch: number, o: PadCropOptions, generator: Generator): PadCropParams {
  const padding = checkPadding(o.padding ?? 4);
  const u = tidy(() => rand([batch, 3], { generator }).toFlatArray()); // (B, 3)
  const offset = (v: number) => Math.min(2 * padding, Math.floor(v * (2 * padding + 1)));
  const p: PadCropParams = { batch, dx: new Int32Array(batch), dy: new Int32Array(batch), flip: new Uint8Array(batch) };
  for (let b = 0; b < batch; b++) {
    p.dx[b] = offset(u[3 * b]);
    p.dy[b] = offset(u[3 * b + 1]);
    p.flip[b] = (o.flip ?? true) && u[3 * b + 2] < 0.5 ? 1 : 0;
  }
  return p;
}

/**
 * Crops float images x (B, C, H, W) at the given offsets of their zero-padded copy (B, C, H + 2p, W + 2p), flipping
 * the crop where asked: out[b, c, i, j] = padded[b, c, dy + i, dx + (flip ? W - 1 - j : j)]. Returns (B, C, H, W).
 */
export function applyPadCrop(x: Tensor, p: PadCropParams, padding: number): Tensor {
  checkPadding(padding);
  const [B, C, H, W] = x.shape;
  if (p.batch !== B) throw new RangeError(`padCrop: parameters for ${p.batch} images, batch of ${B}`);
  return tidy(() => {
    const padded = F.pad(x, [padding, padding, padding, padding]); // (B, C, H + 2p, W + 2p)
    const rows = new Int32Array(B * H);
    const cols = new Int32Array(B * W);
    for (let b = 0; b < B; b++) {
      if (p.dx[b] < 0 || p.dx[b] > 2 * padding || p.dy[b] < 0 || p.dy[b] > 2 * padding) {
        throw new RangeError(`padCrop: offset (${p.dx[b]}, ${p.dy[b]}) of image ${b} outside 0..${2 * padding}`);
      }
      for (let i = 0; i < H; i++) rows[b * H + i] = p.dy[b] + i;
      for (let j = 0; j < W; j++) cols[b * W + j] = p.dx[b] + (p.flip[b] ? W - 1 - j : j);
    }
    const rowIndex = tensor(rows, [B, 1, H, 1], { dtype: 'int64' }).expand([B, C, H, W + 2 * padding]); // (B, C, H, W + 2p)
    const colIndex = tensor(cols, [B, 1, 1, W], { dtype: 'int64' }).expand([B, C, H, W]); // (B, C, H, W)
    return padded.gather(2, rowIndex).gather(3, colIndex); // (B, C, H, W)
  });
}

/** Pad-and-crop + flip of uint8 or [0, 1] float images (B, C, H, W): float (B, C, H, W) in [0, 1]. */
export function padCropAugment(x: Tensor, o: PadCropOptions, generator: Generator): Tensor {
  if (x.ndim !== 4) throw new RangeError(`padCrop: images must be (B, C, H, W), got shape [${x.shape}]`);
  const params = samplePadCropParams(x.size(0), o, generator);
  return tidy(() => applyPadCrop(toFloatImages(x), params, o.padding ?? 4));
}
