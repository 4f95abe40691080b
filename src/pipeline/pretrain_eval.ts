// Evaluations during and after pretraining: the weighted kNN monitor on encoder features and the online
// linear head's test accuracy.
import type { Dataset } from '../data/dataset.js';
import { singleProcess, type World } from '../distributed/world.js';
import { knnAccuracy } from '../eval/knn.js';
import { topkAccuracy } from '../eval/accuracy.js';
import type { SimCLRModel } from '../models/simclr_model.js';
import { tensor } from '../tensor/creation.js';
import { dispose, tidy } from '../tensor/scope.js';
import { extractFeatures } from './features.js';

export interface KnnSettings {
  k: number;
  temperature: number;
  /** Labelled train images in the kNN bank (0 = all). */
  trainLimit: number;
}

/** kNN top-1 on `test` with a bank of encoder features (h) of the labelled `train` images. */
export function evaluateKnn(model: SimCLRModel, train: Dataset, test: Dataset, s: KnnSettings): number {
  if (!train.labels || !test.labels) throw new Error('kNN evaluation needs labelled train and test data');
  const n = s.trainLimit > 0 ? Math.min(s.trainLimit, train.length) : train.length;
  const bank = extractFeatures(model, train, 'h', { indices: Int32Array.from({ length: n }, (_, i) => i) });
  const queries = extractFeatures(model, test, 'h');
  try {
    return knnAccuracy(bank.features, bank.labels!, queries.features, queries.labels!, { k: s.k, temperature: s.temperature, numClasses: train.numClasses });
  } finally {
    dispose([bank, queries]);
  }
}

/**
 * Top-1 and top-5 of the model's supervised head on a labelled dataset. Data parallel (`world` of several processes):
 * each process scores every size-th image from its rank on, and the counts are summed, so all return the same figures.
 */
export function evaluateClassifier(model: SimCLRModel, data: Dataset, world: World = singleProcess): { top1: number; top5: number } {
  const indices = world.size > 1 ? Int32Array.from({ length: Math.ceil((data.length - world.rank) / world.size) }, (_, i) => world.rank + i * world.size) : undefined;
  const { features: logits, labels } = extractFeatures(model, data, 'logits', { indices });
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
