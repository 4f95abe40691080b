// The MoCo-style memory of negatives that SimCLRv2 adds (paper section 2, "memory network"): projections of
// past batches from an exponential-moving-average copy of the network, kept in a first-in-first-out queue
// and used as extra negatives for NT-Xent. The official code does not contain it; here it is an option.
import type { Module } from '../nn/module.js';
import { noGrad, zeros, F, keep, tidy, type Tensor } from '../tensor/index.js';

/** Updates `ema` towards `online`: ema = m * ema + (1 - m) * online for parameters; buffers copied. */
export function emaUpdate(ema: Module, online: Module, momentum: number): void {
  const onlineParams = online.parameters();
  const emaParams = ema.parameters();
  if (onlineParams.length !== emaParams.length) throw new Error('emaUpdate: the two models have different parameter lists');
  tidy(() => noGrad(() => {
    emaParams.forEach((p, i) => p.mul_(momentum).add_(onlineParams[i], 1 - momentum));
    const onlineBuffers = [...online.namedBuffers()];
    [...ema.namedBuffers()].forEach(([, b], i) => b.copy_(onlineBuffers[i][1]));
  }));
}

/** A fixed-size FIFO queue of L2-normalised keys (size, D). */
export class NegativeQueue {
  readonly keys: Tensor; // (size, D)
  #pointer = 0;
  #filled = 0;

  /** `device`: where the keys live, the encoder's device (default CPU). */
  constructor(readonly size: number, readonly dim: number, device = 'cpu') {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`NegativeQueue: size must be a positive integer, got ${size}`);
    this.keys = keep(zeros([size, dim], { device }));
  }

  /** The filled part of the queue, or null while empty. A view: do not keep it past the step. */
  negatives(): Tensor | null {
    return this.#filled === 0 ? null : this.keys.narrow(0, 0, this.#filled); // (filled, D)
  }

  /** Adds keys (B, D) (normalised here, no gradient), overwriting the oldest. */
  enqueue(batch: Tensor): void {
    tidy(() => noGrad(() => {
      let rows = F.normalize(batch.detach().float(), { dim: 1 }); // (B, D)
      if (rows.shape[0] > this.size) rows = rows.narrow(0, rows.shape[0] - this.size, this.size);
      const n = rows.shape[0];
      const first = Math.min(n, this.size - this.#pointer);
      this.keys.narrow(0, this.#pointer, first).copy_(rows.narrow(0, 0, first));
      if (first < n) this.keys.narrow(0, 0, n - first).copy_(rows.narrow(0, first, n - first));
      this.#pointer = (this.#pointer + n) % this.size;
      this.#filled = Math.min(this.size, this.#filled + n);
    }));
  }

  /** Position and fill level, for checkpoints (the keys tensor is saved beside it). */
  get state(): { pointer: number; filled: number } {
    return { pointer: this.#pointer, filled: this.#filled };
  }

  restore(keys: Tensor, state: { pointer: number; filled: number }): void {
    noGrad(() => this.keys.copy_(keys));
    this.#pointer = state.pointer;
    this.#filled = state.filled;
  }

  dispose(): void {
    this.keys.dispose();
  }
}
