// Top-k accuracy of class scores, as used for every evaluation in the paper (top-1 and top-5).
import { tidy, type Tensor } from '../tensor/index.js';

/** Fraction of rows of scores (N, C) whose label (N,) is among the k largest scores. */
export function topkAccuracy(scores: Tensor, labels: Tensor, k = 1): number {
  return tidy(() => {
    const kk = Math.min(k, scores.shape[1]);
    const { indices } = scores.topk(kk, 1); // (N, k)
    return indices.eq(labels.long().unsqueeze(1)).sum(1).float().mean().item(); // at most one hit per row
  });
}
