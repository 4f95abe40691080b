// The validation split of a supervised stage: `valSplit` training images outside the labelled subset, drawn from the
// label seed, held out of training. Periodic evaluation and the 'best' checkpoint use it; the test split is never used to choose.
import { subsetDataset, type Dataset } from '../../data/dataset.js';
import { mixSeed } from '../../data/loader.js';
import { Generator, randperm, tidy } from '../../tensor/index.js';

const VALIDATION_STREAM = 0x7a1;

/**
 * `n` sorted indices of [0, length) outside `exclude`, chosen by a randperm from (seed, stream): the same labelled
 * subset, seed and n give the same split in every stage (fine-tune, baseline, distillation).
 */
export function validationIndices(length: number, n: number, o: { exclude?: ArrayLike<number>; seed: number }): Int32Array {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`valSplit must be a non-negative integer, got ${n}`);
  const excluded = new Uint8Array(length);
  for (const i of Array.from(o.exclude ?? [])) excluded[i] = 1;
  const pool = Int32Array.from({ length }, (_, i) => i).filter((i) => !excluded[i]);
  if (n > pool.length) {
    throw new RangeError(`valSplit ${n}: only ${pool.length} training images lie outside the labelled subset; give at most that (or fewer, to keep images for training)`);
  }
  if (n === 0) return new Int32Array(0);
  const order = tidy(() => randperm(pool.length, { generator: new Generator(mixSeed(o.seed, VALIDATION_STREAM)) }).toFlatArray());
  return Int32Array.from(order.slice(0, n), (k) => pool[k]).sort();
}

/** The validation images of `train` as their own dataset, or null for n = 0. */
export function validationSplit(train: Dataset, n: number, o: { exclude?: ArrayLike<number>; seed: number }): { indices: Int32Array; data: Dataset } | null {
  if (n === 0) return null;
  const indices = validationIndices(train.length, n, o);
  return { indices, data: subsetDataset(train, indices, `${train.name}[validation ${n}]`) };
}

/** [0, length) without `held` (sorted): the images a stage may train on. */
export function withoutIndices(length: number, held: ArrayLike<number>): Int32Array {
  const out = new Uint8Array(length);
  for (const i of Array.from(held)) out[i] = 1;
  return Int32Array.from({ length }, (_, i) => i).filter((i) => !out[i]);
}
