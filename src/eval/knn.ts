// Weighted k-nearest-neighbour classifier on L2-normalised features (Wu et al. 2018, InstDisc), the
// monitor used by lightly and solo-learn: cosine similarity, top-k neighbours vote with exp(sim / T).
// Scores test rows in chunks and yields between them, so an AbortSignal stops a large bank promptly.
import { zeros, F, cat, keep, tidy, type Tensor } from '../tensor/index.js';

export interface KnnOptions {
  k?: number;
  temperature?: number;
  numClasses: number;
  /** Test rows scored per matmul, to bound memory ((chunk, Ntrain) similarities) and the time between stop checks. */
  chunkSize?: number;
  /** Checked between chunks: once aborted, the scoring rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * Predicted class scores (M, C) for test features given train features (N, D) and labels (N,) int64.
 * Features need not be normalised: they are normalised here.
 */
export async function knnScores(train: Tensor, trainLabels: Tensor, test: Tensor, options: KnnOptions): Promise<Tensor> {
  const { k = 200, temperature = 0.1, numClasses, chunkSize = 256, signal } = options;
  if (train.shape[0] !== trainLabels.shape[0]) {
    throw new RangeError(`knn: ${train.shape[0]} train features but ${trainLabels.shape[0]} labels`);
  }
  if (train.shape[1] !== test.shape[1]) throw new RangeError(`knn: train features [${train.shape}] and test features [${test.shape}] differ in width`);
  const kk = Math.min(k, train.shape[0]);
  const bank = keep(tidy(() => F.normalize(train.float(), { dim: 1 }).t().contiguous())); // (D, N)
  const labels = keep(tidy(() => trainLabels.long()));
  const parts: Tensor[] = [];
  try {
    for (let start = 0; start < test.shape[0]; start += chunkSize) {
      await new Promise((resolve) => setImmediate(resolve)); // signal handlers run only when the event loop turns
      signal?.throwIfAborted();
      parts.push(keep(tidy(() => {
        const q = F.normalize(test.narrow(0, start, Math.min(chunkSize, test.shape[0] - start)).float(), { dim: 1 }); // (B, D)
        const { values, indices } = q.matmul(bank).topk(kk, 1); // (B, k)
        const weights = values.div(temperature).exp(); // (B, k)
        const neighbourLabels = labels.expand([q.shape[0], labels.shape[0]]).gather(1, indices); // (B, k)
        return zeros([q.shape[0], numClasses], { device: q.device }).scatterAdd(1, neighbourLabels, weights); // (B, C)
      })));
    }
    return keep(tidy(() => cat(parts, 0))); // (M, C)
  } finally {
    for (const t of [bank, labels, ...parts]) t.dispose();
  }
}

/** Top-1 accuracy of the weighted kNN classifier. */
export async function knnAccuracy(train: Tensor, trainLabels: Tensor, test: Tensor, testLabels: Tensor, options: KnnOptions): Promise<number> {
  const scores = await knnScores(train, trainLabels, test, options); // (M, C)
  try {
    return tidy(() => scores.argmax(1).eq(testLabels.long()).float().mean().item());
  } finally {
    scores.dispose();
  }
}
