// A c10d process group (PyTorch's distributed engine): TCPStore rendezvous, Gloo on CPU tensors, NCCL on CUDA tensors
// when the libtorch build has it. Collectives block until done; a dead peer fails them with an error naming its rank.
import { native } from '../native/addon.js';
import { Tensor } from '../tensor/index.js';

export interface ProcessGroupOptions {
  rank: number;
  size: number;
  /** Address of rank 0, which hosts the rendezvous store (torchrun's MASTER_ADDR). */
  masterAddr: string;
  /** Port of the rendezvous store on rank 0 (MASTER_PORT). */
  masterPort: number;
  /** Longest wait for the rendezvous or one collective (default 300 s, PyTorch's is 30 min). */
  timeoutMs?: number;
  /** A peer whose heartbeat stops for this long is declared dead while we wait on it (default 15 s). */
  peerTimeoutMs?: number;
  /** Gloo worker threads (default 2). */
  glooThreads?: number;
}

export type ReduceOp = 'sum' | 'max' | 'min';

export class ProcessGroup {
  readonly rank: number;
  readonly size: number;
  #id: number | null;

  private constructor(id: number, rank: number, size: number) {
    this.#id = id;
    this.rank = rank;
    this.size = size;
  }

  /** Joins the group: blocks until all `size` processes have connected (or the timeout passes). */
  static init(o: ProcessGroupOptions): ProcessGroup {
    for (const key of ['rank', 'size', 'masterPort'] as const) {
      if (!Number.isInteger(o[key])) throw new TypeError(`ProcessGroup.init: ${key} must be an integer, got ${String(o[key])}`);
    }
    if (o.size < 1 || o.rank < 0 || o.rank >= o.size) throw new RangeError(`ProcessGroup.init: rank ${o.rank} is outside [0, ${o.size})`);
    const id = native.DistInit({ ...o });
    return new ProcessGroup(id, o.rank, o.size);
  }

  get id(): number {
    if (this.#id === null) throw new Error(`ProcessGroup (rank ${this.rank}) was used after destroy()`);
    return this.#id;
  }

  get destroyed(): boolean {
    return this.#id === null;
  }

  /** Reduces t over all ranks in place (outside autograd); returns t. */
  allReduce_(t: Tensor, op: ReduceOp = 'sum'): Tensor {
    native.DistAllReduce(this.id, t.handle, op);
    return t;
  }

  /** Every rank's t (same shape everywhere) concatenated along dim 0 in rank order: (size * N, ...). No gradient. */
  allGather(t: Tensor): Tensor {
    return new Tensor(native.DistAllGather(this.id, t.handle));
  }

  /** Overwrites t with root's values on every rank; returns t. */
  broadcast_(t: Tensor, root = 0): Tensor {
    native.DistBroadcast(this.id, t.handle, root);
    return t;
  }

  barrier(): void {
    native.DistBarrier(this.id);
  }

  /** Sum over ranks as a new tensor; differentiable: the gradient is summed over ranks as well. */
  allReduceSum(t: Tensor): Tensor {
    return new Tensor(native.DistAllReduceSumDiff(this.id, t.handle));
  }

  /** As allGather, differentiable: t's gradient is this rank's slice of the rank-summed gradient. */
  allGatherWithGrad(t: Tensor): Tensor {
    return new Tensor(native.DistAllGatherDiff(this.id, t.handle));
  }

  /** The backend a collective on t goes through. */
  backendFor(t: Tensor): 'gloo' | 'nccl' {
    return native.DistBackendFor(this.id, t.handle);
  }

  /** Collectives run so far and the milliseconds spent blocked in them (communication plus waiting for peers). */
  stats(): { collectives: number; waitMs: number } {
    return native.DistStats(this.id);
  }

  /** Closes the connections (rank 0 also stops the store; call barrier() first so no rank still needs it). */
  destroy(): void {
    if (this.#id === null) return;
    native.DistDestroy(this.#id);
    this.#id = null;
  }
}
