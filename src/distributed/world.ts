// The "world" a training step runs in: this process's rank, the number of processes, and the collective
// operations losses and batch norm need. The default is a single process; data-parallel training
// supplies a world backed by c10d process groups without any change to the code that uses it.
import type { Tensor } from '../tensor/tensor.js';

export interface World {
  readonly rank: number;
  readonly size: number;
  /**
   * Concatenates every process's tensor along dim 0, in rank order: (size * N, ...). Gradient flows back
   * to this process's own slice only (as the official SimCLR cross-replica gather).
   */
  allGather(t: Tensor): Tensor;
  /** Sums a tensor over processes, in place; returns it. */
  allReduceSum_(t: Tensor): Tensor;
}

/** One process: gathering returns the tensor itself, reduction is the identity. */
export const singleProcess: World = {
  rank: 0,
  size: 1,
  allGather: (t) => t,
  allReduceSum_: (t) => t,
};
