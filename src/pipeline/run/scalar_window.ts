// The logging window of the training loop: each step's scalars summed as tensors (no synchronisation per step) and
// read once per window as means, as the official code's metrics; its state goes into checkpoints for exact resume.
import type { DataParallel } from '../../distributed/data_parallel.js';
import { dispose, full, keep, tidy, type Tensor } from '../../tensor/index.js';

/** Sums and step counts per scalar name. */
export type WindowState = Record<string, { sum: number; count: number }>;

/**
 * Sums of each step's scalars since the last log, kept as tensors (no synchronisation per step); means() reads them
 * once per logging window, averaged over processes when data parallel (one collective, at the same steps everywhere).
 */
export class ScalarWindow {
  #sums = new Map<string, Tensor>();
  #counts = new Map<string, number>();

  add(scalars: Record<string, Tensor>): void {
    for (const [name, t] of Object.entries(scalars)) {
      const previous = this.#sums.get(name);
      this.#sums.set(name, keep(tidy(() => (previous ? previous.add(t.detach().double()) : t.detach().double()))));
      previous?.dispose();
      this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
    }
  }

  means(parallel: DataParallel | null): Record<string, number> {
    const values: Record<string, number> = {};
    tidy(() => {
      const means = Object.fromEntries([...this.#sums].map(([name, sum]) => [name, sum.div(this.#counts.get(name)!).float()]));
      for (const [name, t] of Object.entries(parallel ? parallel.meanOverWorld(means) : means)) values[name] = t.item();
    });
    this.dispose();
    return values;
  }

  /** The window so far as plain numbers (float64 sums, exact in JSON), for a checkpoint. */
  state(): WindowState {
    return Object.fromEntries([...this.#sums].map(([name, sum]) => [name, { sum: sum.item(), count: this.#counts.get(name)! }]));
  }

  /** Continues a checkpointed window (replacing this one). */
  restore(state: WindowState): void {
    this.dispose();
    for (const [name, { sum, count }] of Object.entries(state)) {
      this.#sums.set(name, keep(full([], sum, { dtype: 'float64' })));
      this.#counts.set(name, count);
    }
  }

  dispose(): void {
    dispose([...this.#sums.values()]);
    this.#sums.clear();
    this.#counts.clear();
  }
}
