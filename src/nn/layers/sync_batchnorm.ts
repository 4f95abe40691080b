// Synchronised batch norm for data-parallel training (torch.nn.SyncBatchNorm): mean and variance over the global
// batch of every process, composed from differentiable ops around one all-gather of per-process statistics.
import { noGrad, full, callTensor, callTensors, cat, type Tensor } from '../../tensor/index.js';

/**
 * What synchronised batch norm needs from the processes (a distributed World satisfies it): their number and a
 * differentiable all-gather along dim 0 whose backward sums the gradient over processes and keeps this one's slice.
 */
export interface BatchNormSync {
  readonly size: number;
  allGather(t: Tensor): Tensor;
}

export interface SyncBatchNormArgs {
  weight: Tensor | null; // (C)
  bias: Tensor | null; // (C)
  runningMean: Tensor | null; // (C), updated in place
  runningVar: Tensor | null; // (C), updated in place with the unbiased global variance
  momentum: number;
  eps: number;
}

/**
 * Training-mode batch norm of x (N, C, ...) with statistics of the global batch. Each process contributes
 * (mean, biased variance, count) per channel; they are combined as torch's batch_norm_gather_stats_with_counts:
 * M = sum n_r m_r / N, V = sum n_r (v_r + (m_r - M)^2) / N. Gradients reach every process's statistics through the
 * all-gather, which is PyTorch SyncBatchNorm's backward (an all-reduce of the two per-channel gradient sums).
 */
export function syncBatchNorm(x: Tensor, sync: BatchNormSync, a: SyncBatchNormArgs): Tensor {
  const c = x.shape[1];
  const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const [varLocal, meanLocal] = callTensors('aten::var_mean.correction', [x, dims, 0, false]); // (C), (C)
  const count = full([1], x.numel / c, { dtype: x.dtype, device: x.device }); // (1)
  const stats = sync.allGather(cat([meanLocal, varLocal, count], 0).unsqueeze(0)); // (W, 2C + 1)
  const means = stats.narrow(1, 0, c); // (W, C)
  const vars = stats.narrow(1, c, c); // (W, C)
  const counts = stats.narrow(1, 2 * c, 1); // (W, 1)
  const total = counts.sum(); // ()
  const mean = means.mul(counts).sum(0).div(total); // (C)
  const variance = vars.add(means.sub(mean).square()).mul(counts).sum(0).div(total); // (C) biased
  updateRunningStats(a, mean, variance, total);
  const invStd = variance.add(a.eps).rsqrt(); // (C)
  const scale = a.weight ? invStd.mul(a.weight) : invStd; // (C)
  const shift = a.bias ? a.bias.sub(mean.mul(scale)) : mean.mul(scale).neg(); // (C)
  const shape = [1, c, ...dims.slice(1).map(() => 1)];
  return callTensor('aten::addcmul', [shift.view(shape), x, scale.view(shape)]); // (N, C, ...) = x * scale + shift
}

function updateRunningStats(a: SyncBatchNormArgs, mean: Tensor, variance: Tensor, total: Tensor): void {
  if (!a.runningMean || !a.runningVar) return;
  const m = a.momentum;
  noGrad(() => {
    const unbiased = variance.mul(total).div(total.sub(1).clamp(1)); // (C) n / (n - 1) correction, as PyTorch
    a.runningMean!.mul_(1 - m).add_(mean.mul(m));
    a.runningVar!.mul_(1 - m).add_(unbiased.mul(m));
  });
}
