// Batched Gaussian blur with a per-sample sigma: one separable pair of grouped convolutions for the whole batch.
// Reference: tf2/data_util.py gaussian_blur (kernel = side // 10, made odd), SimCLR paper appendix A.
import { F, tensor, arange, type Tensor } from '../tensor/index.js';

/** Kernel size for an image side, as the official code: radius = (side // 10) // 2, size = 2 * radius + 1 (23 at 224). */
export function blurKernelSize(side: number): number {
  return 2 * Math.floor(Math.floor(side / 10) / 2) + 1;
}

/** Normalised 1-D Gaussian kernels (B, K) for sigmas (B,). */
export function gaussianKernels(sigmas: ArrayLike<number>, size: number, device = 'cpu'): Tensor {
  const radius = (size - 1) / 2;
  const x = arange(-radius, radius + 1, 1, { dtype: 'float32', device }).reshape([1, size]); // (1, K)
  const s = tensor(Float32Array.from(sigmas), [sigmas.length, 1]).to(device); // (B, 1)
  const g = x.square().div(s.square().mul(-2)).exp(); // (B, K)
  return g.div(g.sum(1, true)); // (B, K)
}

/**
 * Blurs images x (B, C, H, W), sample b with sigma[b], kernel size K (odd): the batch is folded into channels
 * (1, B*C, H, W) and convolved with per-channel kernels, rows then columns, with reflect padding
 * (the official code pads with zeros, which darkens the border; reflect keeps the mean).
 */
export function gaussianBlur(x: Tensor, sigmas: ArrayLike<number>, size: number): Tensor {
  const [B, C, H, W] = x.shape;
  if (size < 3) return x.clone();
  const r = (size - 1) / 2;
  const k = gaussianKernels(sigmas, size, x.device).unsqueeze(1).expand([B, C, size]).reshape([B * C, size]); // (B*C, K)
  const folded = x.reshape([1, B * C, H, W]); // (1, B*C, H, W)
  const padded = F.pad(folded, [r, r, r, r], Math.min(H, W) > r ? 'reflect' : 'replicate'); // (1, B*C, H+2r, W+2r)
  const rows = F.conv2d(padded, k.reshape([B * C, 1, 1, size]), null, { groups: B * C }); // (1, B*C, H+2r, W)
  const cols = F.conv2d(rows, k.reshape([B * C, 1, size, 1]), null, { groups: B * C }); // (1, B*C, H, W)
  return cols.reshape([B, C, H, W]); // (B, C, H, W)
}
