// Floors of the label-efficiency table: logistic regression and weighted kNN on raw pixels (flattened, in [0, 1]) with
// the same labelled images. L2 strength and k are chosen on a class-stratified 20% of the labelled subset (never on the
// test split), then refit on the whole subset and scored once on the test split. Reference: DESIGN.md section 9.
import { performance } from 'node:perf_hooks';
import type { Dataset } from '../../data/dataset.js';
import { mixSeed } from '../../data/loader.js';
import { knnAccuracy } from '../../eval/knn.js';
import { Generator, randperm, tidy, type Tensor, keep } from '../../tensor/index.js';
import { trainLinearProbe } from '../../eval/linear_probe.js';

/** L2 strengths tried for the logistic regression (mean CE + l2/2 ||W||^2 on standardised pixels). */
export const L2_GRID = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];
/** Neighbours tried for the kNN (cosine similarity, votes weighted by exp(sim / 0.1)). */
export const K_GRID = [1, 3, 5, 10, 20, 50, 100, 200];
export const FLOOR_VALIDATION_FRACTION = 0.2;
const KNN_TEMPERATURE = 0.1;
const SPLIT_STREAM = 0xf1;

export interface FloorResult {
  top1: number;
  top5: number | null;
  /** The L2 strength or k used, and the validation top-1 of each candidate (none when fixed). */
  chosen: number;
  /** 'validation': chosen on the holdout; 'fixed': the subset has no class with 2 images to hold one out (L2 1/N, k 20). */
  chosenOn: 'validation' | 'fixed';
  validation: Array<{ value: number; top1: number }>;
  wall_s: number;
}

export interface PixelFloors {
  logistic: FloorResult;
  knn: FloorResult;
  labelled_images: number;
  validation_images: number;
  test_images: number;
}

/** Images at `indices` (all when absent) as rows of pixels in [0, 1]: (N, C*H*W) float32. */
export function pixelRows(data: Dataset, indices?: ArrayLike<number>): { x: Tensor; y: Tensor } {
  const idx = indices ?? Int32Array.from({ length: data.length }, (_, i) => i);
  return tidy(() => {
    const x = data.getBatch(idx).reshape([idx.length, data.channels * data.height * data.width]).to('float32').div(255); // (N, D)
    return { x: keep(x), y: keep(data.getLabels(idx)) }; // (N, D), (N,)
  });
}

/**
 * Splits labelled indices into a fitting and a validation part: from each class, round(fraction * n_c) images (at
 * least 1 when the class has 2 or more), chosen by a randperm seeded from `seed`. Both parts sorted.
 */
export function stratifiedHoldout(labels: Int32Array, indices: ArrayLike<number>, fraction: number, seed: number): { fit: Int32Array; validation: Int32Array } {
  const byClass = new Map<number, number[]>();
  for (const i of Array.from(indices)) byClass.set(labels[i], [...(byClass.get(labels[i]) ?? []), i]);
  const generator = new Generator(mixSeed(seed, SPLIT_STREAM));
  const fit: number[] = [];
  const validation: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c)!;
    const held = members.length < 2 ? 0 : Math.max(1, Math.round(fraction * members.length));
    const order = tidy(() => randperm(members.length, { generator }).toFlatArray());
    order.forEach((k, rank) => (rank < held ? validation : fit).push(members[k]));
  }
  return { fit: Int32Array.from(fit).sort(), validation: Int32Array.from(validation).sort() };
}

function best(scores: Array<{ value: number; top1: number }>): number {
  return scores.reduce((a, b) => (b.top1 > a.top1 ? b : a)).value; // ties: the first (smallest) candidate
}

async function logisticFloor(fit: Rows, val: Rows, all: Rows, test: Rows, numClasses: number, signal?: AbortSignal): Promise<FloorResult> {
  const start = performance.now();
  const validation: FloorResult['validation'] = [];
  for (const l2 of val.x.shape[0] > 0 ? L2_GRID : []) {
    const r = await trainLinearProbe(fit.x, fit.y, val.x, val.y, { numClasses, l2, maxIterations: 200, signal });
    validation.push({ value: l2, top1: r.top1 });
  }
  const chosen = validation.length ? best(validation) : 1 / all.x.shape[0];
  const r = await trainLinearProbe(all.x, all.y, test.x, test.y, { numClasses, l2: chosen, maxIterations: 200, signal });
  return { top1: r.top1, top5: r.top5, chosen, chosenOn: validation.length ? 'validation' : 'fixed', validation, wall_s: (performance.now() - start) / 1000 };
}

async function knnFloor(fit: Rows, val: Rows, all: Rows, test: Rows, numClasses: number, signal?: AbortSignal): Promise<FloorResult> {
  const start = performance.now();
  const validation: FloorResult['validation'] = [];
  for (const k of val.x.shape[0] > 0 ? K_GRID.filter((k) => k <= fit.x.shape[0]) : []) {
    validation.push({ value: k, top1: await knnAccuracy(fit.x, fit.y, val.x, val.y, { k, temperature: KNN_TEMPERATURE, numClasses, signal }) });
  }
  const chosen = validation.length ? best(validation) : Math.min(20, all.x.shape[0]);
  const top1 = await knnAccuracy(all.x, all.y, test.x, test.y, { k: chosen, temperature: KNN_TEMPERATURE, numClasses, signal });
  return { top1, top5: null, chosen, chosenOn: validation.length ? 'validation' : 'fixed', validation, wall_s: (performance.now() - start) / 1000 };
}

type Rows = { x: Tensor; y: Tensor };

/**
 * Both floors for the labelled images `labelled` of `train`, scored on `test`. A subset with no class of 2 or more
 * images has nothing to hold out: the floors then use fixed settings (chosenOn 'fixed').
 */
export async function pixelFloors(train: Dataset, test: Dataset, labelled: Int32Array, o: { seed: number; signal?: AbortSignal }): Promise<PixelFloors> {
  if (!train.labels || !test.labels) throw new Error('pixel floors need labelled train and test data');
  const { fit, validation } = stratifiedHoldout(train.labels, labelled, FLOOR_VALIDATION_FRACTION, o.seed);
  const rows = [pixelRows(train, fit), pixelRows(train, validation), pixelRows(train, labelled), pixelRows(test)];
  try {
    const [f, v, a, t] = rows;
    const logistic = await logisticFloor(f, v, a, t, train.numClasses, o.signal);
    const knn = await knnFloor(f, v, a, t, train.numClasses, o.signal);
    return { logistic, knn, labelled_images: labelled.length, validation_images: validation.length, test_images: test.length };
  } finally {
    for (const r of rows) r.x.dispose(), r.y.dispose();
  }
}
