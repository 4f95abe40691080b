// NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020, eq. 1), following
// google-research/simclr tf2/objective.py: negatives from the global batch, self-similarity masked.
import { singleProcess, type World } from '../distributed/world.js';
import { arange, F, cat, type Tensor } from '../tensor/index.js';

/** The official code's mask value: large enough to zero a softmax entry, finite so 0 * mask stays 0. */
const LARGE_NUM = 1e9;

export interface NtXentOptions {
  temperature: number;
  /** L2-normalise the projections first (the official `hidden_norm`, default true). */
  hiddenNorm?: boolean;
  /** Processes contributing negatives; default one process. */
  world?: World;
  /** Extra negatives (K, D), e.g. a memory queue from an EMA encoder; already normalised, no gradient. */
  extraNegatives?: Tensor | null;
  /**
   * How the two directions' batch-mean cross-entropies combine: 'sum' (default) is the official
   * `tf.reduce_mean(loss_a + loss_b)`; 'mean' halves it (under LARS the same as doubling the weight decay, under
   * SGD half the step).
   */
  directions?: 'sum' | 'mean';
}

export interface NtXentResult {
  /** Batch mean of each direction's cross-entropy, summed (or averaged) over the two directions. */
  loss: Tensor;
  /** (N, 2 * globalN [+ K]) logits of view 1 against [view 2, view 1, extra]. */
  logits: Tensor;
  /** (N,) index of each row's positive in `logits`. */
  labels: Tensor;
  /** globalN: the number of view-2 columns at the start of `logits`. */
  globalBatch: number;
}

/**
 * z: (2N, D) projections, the N first rows one view of the N images and the N last the other view.
 * Each view-1 row's positive is its view-2 row; its negatives are the other 2(globalN) - 2 projections.
 */
export function ntXent(z: Tensor, options: NtXentOptions): NtXentResult {
  const { temperature, hiddenNorm = true, world = singleProcess, extraNegatives = null, directions = 'sum' } = options;
  if (!(temperature > 0)) throw new RangeError(`ntXent: temperature must be > 0, got ${temperature}`);
  if (directions !== 'sum' && directions !== 'mean') throw new RangeError(`ntXent: directions must be 'sum' or 'mean', got '${String(directions)}'`);
  if (z.ndim !== 2 || z.shape[0] % 2 !== 0 || z.shape[0] < 4) {
    throw new RangeError(`ntXent: expected projections of shape (2N, D) with N >= 2, got [${z.shape}]`);
  }
  const h = hiddenNorm ? F.normalize(z, { dim: 1 }) : z; // (2N, D)
  const [h1, h2] = h.chunk(2, 0); // (N, D) each
  const n = h1.shape[0];
  const h1All = world.allGather(h1); // (W*N, D)
  const h2All = world.allGather(h2); // (W*N, D)
  const labels = arange(0, n, 1, { device: z.device }).add(world.rank * n); // (N,) positives' columns
  const selfMask = F.oneHot(labels, world.size * n).bool(); // (N, W*N) own rows
  const scale = 1 / temperature;
  const logitsAA = h1.matmul(h1All.t()).mul(scale).maskedFill(selfMask, -LARGE_NUM); // (N, W*N)
  const logitsBB = h2.matmul(h2All.t()).mul(scale).maskedFill(selfMask, -LARGE_NUM); // (N, W*N)
  const logitsAB = h1.matmul(h2All.t()).mul(scale); // (N, W*N)
  const logitsBA = h2.matmul(h1All.t()).mul(scale); // (N, W*N)
  const extraA = extraNegatives ? [h1.matmul(extraNegatives.t()).mul(scale)] : []; // (N, K)
  const extraB = extraNegatives ? [h2.matmul(extraNegatives.t()).mul(scale)] : []; // (N, K)
  const logitsA = cat([logitsAB, logitsAA, ...extraA], 1); // (N, 2*W*N [+K])
  const logitsB = cat([logitsBA, logitsBB, ...extraB], 1); // (N, 2*W*N [+K])
  const both = F.crossEntropy(logitsA, labels).add(F.crossEntropy(logitsB, labels)); // ()
  const loss = directions === 'sum' ? both : both.mul(0.5); // ()
  return { loss, logits: logitsA, labels, globalBatch: world.size * n };
}

/**
 * The official "contrast_acc" (tf2/run.py): the fraction of view-1 rows whose largest cross-view logit (against
 * view 2 only, the first globalN columns) is the positive.
 */
export function contrastiveAccuracy(result: NtXentResult): Tensor {
  const crossView = result.logits.narrow(1, 0, result.globalBatch); // (N, W*N) view 1 against view 2
  return crossView.argmax(1).eq(result.labels).float().mean(); // ()
}
