// Data parallelism any training stage can use (torch DistributedDataParallel's duties, done explicitly): rank 0's
// weights broadcast at start, synchronised batch norm, gradients all-reduced in buckets and averaged, loader shards.
import { setBatchNormSync } from '../nn/layers/batchnorm.js';
import type { Module } from '../nn/module.js';
import { noGrad, full, cat, stack, tidy, type Tensor } from '../tensor/index.js';
import type { World } from './world.js';

export interface DataParallelOptions {
  /** Batch norm with global statistics over all processes (default true when there are several). */
  globalBn?: boolean;
  /** Gradients travel in flat buckets of at most this many bytes (default 25 MiB, as DDP's bucket_cap_mb). */
  bucketBytes?: number;
}

const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

/**
 * Gradient scaling. Each process's loss is a mean over its local batch of B rows; collectives whose backward sums
 * the gradient over processes (all-gather of projections, synchronised batch-norm statistics) make each process's
 * backward produce d(sum_r L_r)/d(its inputs). Averaging over the W processes then gives d/dθ of
 * (1/W) sum_r L_r, the mean over the global batch of W * B rows: exactly one process's gradient on that batch.
 */
export class DataParallel {
  readonly world: World;
  readonly modules: readonly Module[];
  readonly globalBn: boolean;
  readonly bucketBytes: number;

  constructor(world: World, modules: Module | Module[], options: DataParallelOptions = {}) {
    this.world = world;
    this.modules = Array.isArray(modules) ? modules : [modules];
    this.globalBn = options.globalBn ?? world.size > 1;
    this.bucketBytes = options.bucketBytes ?? DEFAULT_BUCKET_BYTES;
    if (!(this.bucketBytes > 0)) throw new RangeError(`DataParallel: bucketBytes must be > 0, got ${this.bucketBytes}`);
    if (world.size > 1) this.broadcastState();
    for (const m of this.modules) setBatchNormSync(m, this.globalBn && world.size > 1 ? world : null);
  }

  /** Copies rank 0's parameters and buffers (running statistics included) to every process. */
  broadcastState(root = 0): void {
    if (this.world.size === 1) return;
    const tensors = this.modules.flatMap((m) => [...m.parameters(), ...[...m.namedBuffers()].map(([, b]) => b)]);
    noGrad(() => this.#inBuckets(tensors, (flat) => this.world.broadcast_(flat, root)));
  }

  /**
   * Averages the gradients of every trainable parameter over the processes, in place; call after backward() and
   * before the optimiser step. Every process must hold gradients for the same parameters.
   */
  syncGradients(): void {
    if (this.world.size === 1) return;
    tidy(() => {
      const grads = this.modules.flatMap((m) => m.parameters()).filter((p) => p.requiresGrad).map((p) => p.grad).filter((g): g is Tensor => g !== null);
      const scale = 1 / this.world.size;
      noGrad(() => this.#inBuckets(grads, (flat) => this.world.allReduceSum_(flat).mul_(scale)));
    });
  }

  /** This process's share of each global batch, for DataLoader's `shard` option. */
  get shard(): { rank: number; size: number } {
    return { rank: this.world.rank, size: this.world.size };
  }

  /**
   * Means over processes of scalar tensors (losses, accuracies), one collective for all of them: returns the same
   * record with each non-null value replaced by its mean. Every process must call it with the same keys.
   */
  meanOverWorld<T extends Record<string, Tensor | null>>(values: T): T {
    if (this.world.size === 1) return values;
    const keys = Object.keys(values).filter((k) => values[k] !== null);
    const means = stack(keys.map((k) => values[k]!.detach().float().reshape([]))); // (K)
    noGrad(() => this.world.allReduceSum_(means).div_(this.world.size));
    const out: Record<string, Tensor | null> = { ...values };
    keys.forEach((k, i) => (out[k] = means.select(0, i)));
    return out as T;
  }

  /** True on every process when `flag` is true on any (e.g. a stop request), so all of them stop at the same step. */
  anyOverWorld(flag: boolean): boolean {
    if (this.world.size === 1) return flag;
    return tidy(() => this.world.allReduceSum_(full([1], flag ? 1 : 0)).item() > 0);
  }

  /** Applies `op` in place to flat buckets of the tensors (grouped by dtype, at most bucketBytes each), then copies back. */
  #inBuckets(tensors: Tensor[], op: (flat: Tensor) => void): void {
    for (const bucket of buckets(tensors, this.bucketBytes)) {
      tidy(() => {
        const flat = cat(bucket.map((t) => t.reshape([-1])), 0); // (sum of numels)
        op(flat);
        let offset = 0;
        for (const t of bucket) {
          t.copy_(flat.narrow(0, offset, t.numel).view(t.shape));
          offset += t.numel;
        }
      });
    }
  }
}

const BYTES: Record<string, number> = { float64: 8, int64: 8, float32: 4, int32: 4, float16: 2, bfloat16: 2, int16: 2, uint8: 1, int8: 1, bool: 1 };

/** Consecutive groups of same-dtype tensors of at most maxBytes each (a larger tensor goes alone). */
export function buckets(tensors: Tensor[], maxBytes: number): Tensor[][] {
  const byDtype = new Map<string, Tensor[][]>();
  const sizes = new Map<Tensor[], number>();
  for (const t of tensors) {
    const lists = byDtype.get(t.dtype) ?? [];
    byDtype.set(t.dtype, lists);
    const bytes = t.numel * (BYTES[t.dtype] ?? 8);
    const last = lists[lists.length - 1];
    if (last && sizes.get(last)! + bytes <= maxBytes) {
      last.push(t);
      sizes.set(last, sizes.get(last)! + bytes);
    } else {
      const next = [t];
      lists.push(next);
      sizes.set(next, bytes);
    }
  }
  return [...byDtype.values()].flat();
}
