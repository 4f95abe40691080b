// Evaluations during and after pretraining: the weighted kNN monitor on encoder features and the online
// linear head's test accuracy. Both take an AbortSignal, checked between batches, so a stop request ends them.
import type { Dataset } from '../../data/dataset.js';
import { singleProcess, type World } from '../../distributed/world.js';
import { knnAccuracy } from '../../eval/knn.js';
import { topkAccuracy } from '../../eval/accuracy.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import { tensor, dispose, tidy, type Tensor } from '../../tensor/index.js';
import { extractFeatures } from './features.js';

export interface KnnSettings {
  k: number;
  temperature: number;
  /** Labelled train images in the kNN bank (0 = all of `train`, itself already cut to the run's trainLimit). */
  trainLimit: number;
  signal?: AbortSignal;
}

/** Images in the kNN bank: the first trainLimit of `train` (all when 0). */
export function knnBankSize(train: Dataset, trainLimit: number): number {
  return trainLimit > 0 ? Math.min(trainLimit, train.length) : train.length;
}

/**
 * kNN top-1 on `test` with a bank of encoder features (h) of the first knnBankSize() labelled `train` images. Data
 * parallel (`world` of several processes): each process extracts every size-th bank image and every size-th test
 * image from its rank on, the bank is all-gathered and the correct counts summed, so all return the same figure
 * (data-parallel callers pass no signal: a stop must reach every process alike).
 */
export async function evaluateKnn(model: SimCLRModel, train: Dataset, test: Dataset, s: KnnSettings, world: World = singleProcess): Promise<number> {
  if (!train.labels || !test.labels) throw new Error('kNN evaluation needs labelled train and test data');
  const n = knnBankSize(train, s.trainLimit);
  const bank = world.size > 1 && n >= world.size ? await gatheredBank(model, train, n, world) : await extractFeatures(model, train, 'h', { indices: strided(n, 0, 1), signal: s.signal });
  try {
    const queries = await extractFeatures(model, test, 'h', { indices: strided(test.length, world.rank, world.size), signal: s.signal });
    try {
      const options = { k: s.k, temperature: s.temperature, numClasses: train.numClasses, signal: s.signal };
      const accuracy = await knnAccuracy(bank.features, bank.labels!, queries.features, queries.labels!, options);
      return world.size > 1 ? sumOverWorld(world, accuracy * queries.labels!.shape[0], queries.labels!.shape[0]) : accuracy;
    } finally {
      dispose(queries);
    }
  } finally {
    dispose(bank);
  }
}

/** Indices rank, rank + size, ... below n. */
function strided(n: number, rank: number, size: number): Int32Array {
  return Int32Array.from({ length: Math.max(0, Math.ceil((n - rank) / size)) }, (_, i) => rank + i * size);
}

/**
 * The whole bank on every process, each extracting 1/size of it. all-gather needs equal shares: a share one row
 * short repeats its first row, and the repeated rows are dropped after gathering.
 */
async function gatheredBank(model: SimCLRModel, train: Dataset, n: number, world: World): Promise<{ features: Tensor; labels: Tensor }> {
  const share = Math.ceil(n / world.size);
  const mine = strided(n, world.rank, world.size);
  const padded = Int32Array.from({ length: share }, (_, i) => (i < mine.length ? mine[i] : mine[0]));
  const own = await extractFeatures(model, train, 'h', { indices: padded });
  try {
    return tidy(() => {
      const all = world.allGather(own.features); // (size * share, D): rank-major
      const rows: number[] = [];
      const labels: bigint[] = [];
      for (let r = 0; r < world.size; r++) {
        strided(n, r, world.size).forEach((index, i) => {
          rows.push(r * share + i);
          labels.push(BigInt(train.labels![index]));
        });
      }
      const device = { device: all.device };
      return { features: all.indexSelect(0, tensor(BigInt64Array.from(rows.map(BigInt)), [rows.length], device)), labels: tensor(BigInt64Array.from(labels), [labels.length], device) };
    });
  } finally {
    dispose(own);
  }
}

/** Sums a count of correct answers and a total over the processes; their ratio. */
function sumOverWorld(world: World, correct: number, total: number): number {
  const counts = tensor([correct, total], { dtype: 'float64' });
  try {
    const [c, t] = world.allReduceSum_(counts).toFlatArray().map(Math.round);
    return c / t;
  } finally {
    counts.dispose();
  }
}

/**
 * Top-1 and top-5 of the model's supervised head on a labelled dataset. Data parallel (`world` of several processes):
 * each process scores every size-th image from its rank on, and the counts are summed, so all return the same figures
 * (a stop there must reach every process alike: data-parallel callers pass no signal).
 */
export async function evaluateClassifier(model: SimCLRModel, data: Dataset, world: World = singleProcess, signal?: AbortSignal): Promise<{ top1: number; top5: number }> {
  const indices = world.size > 1 ? Int32Array.from({ length: Math.ceil((data.length - world.rank) / world.size) }, (_, i) => world.rank + i * world.size) : undefined;
  const { features: logits, labels } = await extractFeatures(model, data, 'logits', { indices, signal });
  try {
    if (!labels) throw new Error(`${data.name} has no labels to evaluate against`);
    if (world.size === 1) return { top1: topkAccuracy(logits, labels, 1), top5: topkAccuracy(logits, labels, 5) };
    const n = labels.shape[0];
    const counts = tidy(() => tensor([topkAccuracy(logits, labels, 1) * n, topkAccuracy(logits, labels, 5) * n, n], { dtype: 'float64' }));
    try {
      const [top1, top5, total] = world.allReduceSum_(counts).toFlatArray().map(Math.round);
      return { top1: top1 / total, top5: top5 / total };
    } finally {
      counts.dispose();
    }
  } finally {
    dispose([logits, labels]);
  }
}
