// Neural-network functions over tensors, like torch.nn.functional: convolution, batch norm, pooling,
// activations, losses, normalisation, resampling. Stateless: modules in nn/ hold the parameters.
import { callTensor } from './op.js';
import type { Generator } from './random.js';
import { Tensor } from './tensor.js';

type Pair = number | [number, number];
export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

function reductionCode(reduction: Reduction): number {
  const code = REDUCTION[reduction];
  if (code === undefined) throw new TypeError(`reduction must be 'none', 'mean' or 'sum', got '${reduction}'`);
  return code;
}

export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return callTensor('aten::linear', [input, weight, bias ?? null]);
}

export interface Conv2dOptions { stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number }

export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
  if (isStridedPointwise(weight, stride, padding) && input.device === 'cpu') {
    return pointwiseConvBySubsampling(input, weight, bias ?? null, stride, groups);
  }
  return callTensor('aten::conv2d', [input, weight, bias ?? null, stride, padding, dilation, groups]);
}

const pair = (p: Pair): [number, number] => (typeof p === 'number' ? [p, p] : p);

/** A 1x1 kernel with stride > 1 and no padding (the ResNet projection shortcut). */
function isStridedPointwise(weight: Tensor, stride: Pair, padding: Pair): boolean {
  const [kh, kw] = weight.shape.slice(2);
  const [sh, sw] = pair(stride);
  const [ph, pw] = pair(padding);
  return kh === 1 && kw === 1 && (sh > 1 || sw > 1) && ph === 0 && pw === 0;
}

/**
 * A strided 1x1 convolution computed as subsampling then a stride-1 1x1 convolution (the same function).
 * Why: oneDNN's strided 1x1 kernels (libtorch 1.13's bundled oneDNN, and later ones) copy the strided pixels
 * into a per-thread "reduce to unit stride" workspace, and with a channels-last source whose channel count is
 * not a multiple of the ISA's channel block (8 with AVX2, 16 with AVX-512) the weight-gradient kernel writes
 * past that workspace: heap corruption ("free(): invalid next size", segfaults) or wrong weight gradients.
 * PyTorch 1.13 itself crashes on conv2d(x (32, 4, 32, 32) channels-last, w (8, 4, 1, 1), stride 2).backward().
 */
function pointwiseConvBySubsampling(input: Tensor, weight: Tensor, bias: Tensor | null, stride: Pair, groups: number): Tensor {
  const [sh, sw] = pair(stride);
  const rows = sh > 1 ? input.slice(-2, null, null, sh) : input; // (N, C, ceil(H/sh), W)
  const sub = sw > 1 ? rows.slice(-1, null, null, sw) : rows; // (N, C, ceil(H/sh), ceil(W/sw))
  const out = callTensor('aten::conv2d', [sub, weight, bias, 1, 0, 1, groups]); // (N, out, H', W')
  if (sub !== input) sub.dispose();
  if (rows !== input && rows !== sub) rows.dispose();
  return out;
}

export interface BatchNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  training: boolean;
  /** PyTorch convention: running = (1 - momentum) * running + momentum * batch. */
  momentum?: number;
  eps?: number;
}

/** Batch normalisation over dim 1; in training mode updates the running statistics in place. */
export function batchNorm(input: Tensor, o: BatchNormOptions): Tensor {
  return callTensor('aten::batch_norm', [
    input, o.weight ?? null, o.bias ?? null, o.runningMean ?? null, o.runningVar ?? null,
    o.training, o.momentum ?? 0.1, o.eps ?? 1e-5, true,
  ]);
}

export function relu(x: Tensor): Tensor {
  return callTensor('aten::relu', [x]);
}

export function maxPool2d(x: Tensor, kernelSize: Pair, stride?: Pair, padding: Pair = 0): Tensor {
  return callTensor('aten::max_pool2d', [x, kernelSize, stride ?? kernelSize, padding, 1, false]);
}

export function avgPool2d(x: Tensor, kernelSize: Pair, stride?: Pair, padding: Pair = 0): Tensor {
  return callTensor('aten::avg_pool2d', [x, kernelSize, stride ?? kernelSize, padding]);
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return callTensor('aten::adaptive_avg_pool2d', [x, typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize]);
}

export function softmax(x: Tensor, dim: number): Tensor {
  return callTensor('aten::softmax.int', [x, dim]);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return callTensor('aten::log_softmax.int', [x, dim]);
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  labelSmoothing?: number;
  ignoreIndex?: number;
  weight?: Tensor | null;
}

/**
 * Cross-entropy of logits (N, C) against class indices (N,) int64 or class probabilities (N, C) float
 * (soft targets, as distillation uses), with optional label smoothing; as torch.nn.functional.cross_entropy.
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { reduction = 'mean', labelSmoothing = 0, ignoreIndex = -100, weight = null } = options;
  if (labelSmoothing < 0 || labelSmoothing > 1) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  return callTensor('aten::cross_entropy_loss', [logits, target, weight, reductionCode(reduction), ignoreIndex, labelSmoothing]);
}

export function nllLoss(logProbs: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return callTensor('aten::nll_loss_nd', [logProbs, target, null, reductionCode(reduction), -100]);
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  return callTensor('aten::mse_loss', [input, target, reductionCode(reduction)]);
}

/** x / max(||x||_p, eps) along dim, as torch.nn.functional.normalize. */
export function normalize(x: Tensor, options: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  const { p = 2, dim = 1, eps = 1e-12 } = options;
  const norm = callTensor('aten::linalg_vector_norm', [x, p, [dim], true]); // keepdim
  const denom = norm.clampMin(eps).expandAs(x);
  const out = x.div(denom);
  norm.dispose();
  denom.dispose();
  return out;
}

export function oneHot(labels: Tensor, numClasses: number): Tensor {
  return callTensor('aten::one_hot', [labels, numClasses]);
}

export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  if (p < 0 || p > 1) throw new RangeError(`dropout: p must be in [0, 1], got ${p}`);
  return callTensor('aten::dropout', [x, p, training]);
}

export type InterpolateMode = 'nearest' | 'bilinear' | 'bicubic';
export interface InterpolateOptions { size?: [number, number]; scaleFactor?: number; mode?: InterpolateMode; alignCorners?: boolean }

/** Resizes (N, C, H, W) images, as torch.nn.functional.interpolate. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  const { mode = 'nearest', alignCorners = false } = o;
  if ((o.size === undefined) === (o.scaleFactor === undefined)) throw new TypeError('interpolate: give exactly one of size or scaleFactor');
  const size = o.size ?? null;
  const scales = o.scaleFactor === undefined ? null : [o.scaleFactor, o.scaleFactor];
  if (mode === 'nearest') return callTensor('aten::upsample_nearest2d.vec', [x, size, scales]);
  if (mode === 'bilinear') return callTensor('aten::upsample_bilinear2d.vec', [x, size, alignCorners, scales]);
  if (mode === 'bicubic') return callTensor('aten::upsample_bicubic2d.vec', [x, size, alignCorners, scales]);
  throw new TypeError(`interpolate: unknown mode '${mode as string}'`);
}

/** Sampling grid (N, H, W, 2) for 2-D affine matrices theta (N, 2, 3), as F.affine_grid. */
export function affineGrid(theta: Tensor, size: [number, number, number, number], alignCorners = false): Tensor {
  return callTensor('aten::affine_grid_generator', [theta, size, alignCorners]);
}

const GRID_MODE = { bilinear: 0, nearest: 1, bicubic: 2 } as const;
const GRID_PADDING = { zeros: 0, border: 1, reflection: 2 } as const;
export interface GridSampleOptions { mode?: keyof typeof GRID_MODE; paddingMode?: keyof typeof GRID_PADDING; alignCorners?: boolean }

/** Samples input (N, C, H, W) at grid (N, Ho, Wo, 2) in [-1, 1] coordinates, as F.grid_sample. */
export function gridSample(input: Tensor, grid: Tensor, o: GridSampleOptions = {}): Tensor {
  const { mode = 'bilinear', paddingMode = 'zeros', alignCorners = false } = o;
  return callTensor('aten::grid_sampler', [input, grid, GRID_MODE[mode], GRID_PADDING[paddingMode], alignCorners]);
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Pads the last dimensions: pads = [left, right, top, bottom, ...], as F.pad (1, 2 or 3 padded dims). */
export function pad(x: Tensor, pads: number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) throw new TypeError(`pad: unknown mode '${mode as string}'`);
  if (!Array.isArray(pads) || pads.length % 2 !== 0 || pads.length / 2 > x.ndim) {
    throw new RangeError(`pad: pads must list (before, after) pairs for at most ${x.ndim} dimensions, got [${String(pads)}]`);
  }
  return callTensor('aten::pad', [x, pads, mode, mode === 'constant' ? value : null]);
}

/** Bernoulli draws with per-element probabilities p. */
export function bernoulli(p: Tensor, generator?: Generator): Tensor {
  return callTensor('aten::bernoulli', [p, generator?.handle ?? null]);
}
