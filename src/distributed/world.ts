// The "world" a training step runs in: this process's rank, the number of processes, and the collective
// operations losses and batch norm need. The default is a single process; data-parallel training
// supplies a world backed by c10d process groups (world_c10d.ts) without any change to the code that uses it.
import { type Tensor } from '../tensor/index.js';

export interface World {
  readonly rank: number;
  readonly size: number;
  /** Rank on this machine, the GPU index of a process (torchrun's LOCAL_RANK); the rank when absent. */
  readonly localRank?: number;
  /**
   * Concatenates every process's tensor along dim 0, in rank order: (size * N, ...); every rank gives the same
   * shape. The gradient reaching this process's input is its own slice of the gradient summed over processes
   * (all-gather's adjoint, as the official SimCLR cross-replica concat), so with gradients averaged across
   * processes afterwards the result equals one process training on the concatenated batch.
   */
  allGather(t: Tensor): Tensor;
  /** Sums a tensor over processes into a new tensor; differentiable (the gradient is summed over processes too). */
  allReduceSum(t: Tensor): Tensor;
  /** Sums a tensor over processes, in place, outside autograd; returns it. */
  allReduceSum_(t: Tensor): Tensor;
  /** Overwrites t with root's values on every process; returns it. */
  broadcast_(t: Tensor, root?: number): Tensor;
  /** Returns once every process has called it. */
  barrier(): void;
}

/** One process: gathering returns the tensor itself, reductions and broadcasts are the identity. */
export const singleProcess: World = {
  rank: 0,
  size: 1,
  allGather: (t) => t,
  allReduceSum: (t) => t,
  allReduceSum_: (t) => t,
  broadcast_: (t) => t,
  barrier: () => undefined,
};
