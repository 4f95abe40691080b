// Evaluations during and after pretraining: the weighted kNN monitor on encoder features and the online
// linear head's test accuracy.
import type { Dataset } from '../data/dataset.js';
import { knnAccuracy } from '../eval/knn.js';
import { topkAccuracy } from '../eval/accuracy.js';
import type { SimCLRModel } from '../models/simclr_model.js';
import { dispose } from '../tensor/scope.js';
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

/** Top-1 and top-5 of the model's supervised head on a labelled dataset. */
export function evaluateClassifier(model: SimCLRModel, data: Dataset): { top1: number; top5: number } {
  const { features: logits, labels } = extractFeatures(model, data, 'logits');
  try {
    if (!labels) throw new Error(`${data.name} has no labels to evaluate against`);
    return { top1: topkAccuracy(logits, labels, 1), top5: topkAccuracy(logits, labels, 5) };
  } finally {
    dispose([logits, labels]);
  }
}
