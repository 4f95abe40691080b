// The linear evaluation protocol on frozen features: standardise features extracted once, train a multinomial logistic
// regression head on them (AdamW, cosine decay, mini-batches over the feature tensor), report top-1/top-5.
// Reference: SimCLR paper appendix B.6 (linear evaluation); scikit-learn's LogisticRegression on standardised features.
import { topkAccuracy } from '../eval/accuracy.js';
import { Linear } from '../nn/index.js';
import { AdamW, warmupCosineSchedule } from '../optim/index.js';
import * as F from '../tensor/functional.js';
import { randperm } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { keep, tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

export interface LinearProbeOptions {
  numClasses: number;
  /** Passes over the training features (default 200). */
  epochs?: number;
  /** Rows per step (default 1024; the whole set when smaller). */
  batchSize?: number;
  /** AdamW peak learning rate, decayed by a cosine to 0 (default 0.01). */
  learningRate?: number;
  /** Decoupled weight decay on the weights, not the bias (default 1e-4). */
  weightDecay?: number;
  seed?: number;
}

export interface LinearProbeResult {
  top1: number;
  top5: number;
  train_top1: number;
  train_loss: number;
  epochs: number;
  steps: number;
}

/** Column mean and standard deviation of the training features (N, D); constant columns get std 1. */
function standardiser(x: Tensor): { mean: Tensor; std: Tensor } {
  return tidy(() => {
    const f = x.float();
    const mean = f.mean(0, true); // (1, D)
    const std = f.std(0, { unbiased: false, keepdim: true }); // (1, D)
    return { mean: keep(mean), std: keep(std.lt(1e-6).float().add(std)) }; // (1, D)
  });
}

/**
 * Trains a logistic-regression head on standardised train features (N, D) with labels (N,) and reports its top-1 and
 * top-5 on test features (M, D). Yields to the event loop once per epoch. Inputs are not modified or disposed.
 */
export async function trainLinearProbe(trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor, o: LinearProbeOptions): Promise<LinearProbeResult> {
  const { numClasses, epochs = 200, learningRate = 0.01, weightDecay = 1e-4, seed = 0 } = o;
  const [N, D] = trainX.shape;
  if (trainX.ndim !== 2 || testX.ndim !== 2 || testX.shape[1] !== D) throw new RangeError(`trainLinearProbe: features must be (N, D) and (M, D), got [${trainX.shape}] and [${testX.shape}]`);
  if (trainY.shape[0] !== N || testY.shape[0] !== testX.shape[0]) throw new RangeError(`trainLinearProbe: ${N} train rows but ${trainY.shape[0]} labels, or ${testX.shape[0]} test rows but ${testY.shape[0]} labels`);
  const batchSize = Math.min(o.batchSize ?? 1024, N);
  const perEpoch = Math.ceil(N / batchSize);
  const { mean, std } = standardiser(trainX);
  const x = keep(tidy(() => trainX.float().sub(mean).div(std))); // (N, D)
  const y = keep(tidy(() => trainY.long())); // (N,)
  const head = new Linear({ inFeatures: D, outFeatures: numClasses, zeroInit: true });
  const optimizer = new AdamW(head.parameters(), { lr: learningRate, weightDecay });
  const schedule = warmupCosineSchedule({ lr: learningRate, totalSteps: epochs * perEpoch, warmupSteps: 0 });
  const generator = new Generator(seed);
  try {
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = keep(randperm(N, { generator })); // (N,)
      for (let start = 0; start < N; start += batchSize, step++) {
        tidy(() => {
          const rows = order.narrow(0, start, Math.min(batchSize, N - start)); // (b,)
          const loss = F.crossEntropy(head.forward(x.indexSelect(0, rows)), y.indexSelect(0, rows)); // ()
          optimizer.zeroGrad();
          loss.backward();
          optimizer.setLr(schedule(step));
          optimizer.step();
        });
      }
      order.dispose();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return tidy(() => {
      const trainLogits = head.forward(x); // (N, K)
      const testLogits = head.forward(testX.float().sub(mean).div(std)); // (M, K)
      return {
        top1: topkAccuracy(testLogits, testY, 1), top5: topkAccuracy(testLogits, testY, 5),
        train_top1: topkAccuracy(trainLogits, y, 1), train_loss: F.crossEntropy(trainLogits, y).item(), epochs, steps: step,
      };
    });
  } finally {
    for (const t of [mean, std, x, y]) t.dispose();
    head.dispose();
    optimizer.dispose();
  }
}
