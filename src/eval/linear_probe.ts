// The linear evaluation protocol on frozen features: standardise features extracted once, fit a multinomial logistic
// regression on them (full-batch L-BFGS, or AdamW mini-batches with cosine decay), report top-1/top-5.
// Reference: SimCLR paper appendix B.6 (linear evaluation); scikit-learn's LogisticRegression on standardised features.
import { topkAccuracy } from './accuracy.js';
import { Linear } from '../nn/index.js';
import { AdamW, warmupCosineSchedule } from '../optim/index.js';
import { F, randperm, Generator, keep, tidy, type Tensor, yieldToEventLoop } from '../tensor/index.js';
import { fitLogisticLbfgs, type LogisticFit } from './logistic_lbfgs.js';

export interface LinearProbeOptions {
  numClasses: number;
  /** 'lbfgs' (default): full-batch L-BFGS on mean CE + l2/2 ||W||^2; 'adamw': mini-batch AdamW with cosine decay. */
  solver?: 'lbfgs' | 'adamw';
  /** L-BFGS: L2 penalty on the weights (default 1/N, scikit-learn's C = 1). */
  l2?: number;
  /** L-BFGS: iterations at most (default 300). */
  maxIterations?: number;
  /** AdamW: passes over the training features (default 100). */
  epochs?: number;
  /** AdamW: rows per step (default 1024; the whole set when smaller). */
  batchSize?: number;
  /** AdamW: peak learning rate, decayed by a cosine to 0 (default 0.01). */
  learningRate?: number;
  /** AdamW: decoupled weight decay on the weights, not the bias (default 1e-4). */
  weightDecay?: number;
  seed?: number;
  /** Checked between solver iterations (L-BFGS) or every few steps (AdamW): once aborted, the fit rejects with its reason. */
  signal?: AbortSignal;
}

export interface LinearProbeResult {
  top1: number;
  top5: number;
  train_top1: number;
  train_loss: number;
  solver: 'lbfgs' | 'adamw';
  /** L-BFGS iterations or AdamW steps. */
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
 * Fits a logistic-regression head on standardised train features (N, D) with labels (N,) and reports its top-1 and
 * top-5 on test features (M, D). Inputs are not modified or disposed.
 */
export async function trainLinearProbe(trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor, o: LinearProbeOptions): Promise<LinearProbeResult> {
  const [N, D] = trainX.shape;
  if (trainX.ndim !== 2 || testX.ndim !== 2 || testX.shape[1] !== D) throw new RangeError(`trainLinearProbe: features must be (N, D) and (M, D), got [${trainX.shape}] and [${testX.shape}]`);
  if (trainY.shape[0] !== N || testY.shape[0] !== testX.shape[0]) throw new RangeError(`trainLinearProbe: ${N} train rows but ${trainY.shape[0]} labels, or ${testX.shape[0]} test rows but ${testY.shape[0]} labels`);
  const solver = o.solver ?? 'lbfgs';
  const { mean, std } = standardiser(trainX);
  const x = keep(tidy(() => trainX.float().sub(mean).div(std))); // (N, D)
  const y = keep(tidy(() => trainY.long())); // (N,)
  let fit: LogisticFit | null = null;
  try {
    fit = solver === 'lbfgs'
      ? await fitLogisticLbfgs(x, y, { numClasses: o.numClasses, l2: o.l2 ?? 1 / N, maxIterations: o.maxIterations ?? 300, signal: o.signal })
      : await fitAdamW(x, y, o);
    const { weight, bias, iterations } = fit;
    return tidy(() => {
      const trainLogits = F.linear(x, weight, bias); // (N, K)
      const testLogits = F.linear(testX.float().sub(mean).div(std), weight, bias); // (M, K)
      return {
        top1: topkAccuracy(testLogits, testY, 1), top5: topkAccuracy(testLogits, testY, 5),
        train_top1: topkAccuracy(trainLogits, y, 1), train_loss: F.crossEntropy(trainLogits, y).item(), solver, steps: iterations,
      };
    });
  } finally {
    for (const t of [mean, std, x, y, fit?.weight, fit?.bias]) t?.dispose();
  }
}

/** Mini-batch AdamW with cosine decay over standardised features; yields to the event loop every 16 steps. */
async function fitAdamW(x: Tensor, y: Tensor, o: LinearProbeOptions): Promise<LogisticFit> {
  const { numClasses, epochs = 100, learningRate = 0.01, weightDecay = 1e-4, seed = 0 } = o;
  const [N, D] = x.shape;
  const batchSize = Math.min(o.batchSize ?? 1024, N);
  const perEpoch = Math.ceil(N / batchSize);
  const head = new Linear({ inFeatures: D, outFeatures: numClasses, zeroInit: true }).to(x.device);
  const optimizer = new AdamW(head.parameters(), { lr: learningRate, weightDecay });
  const schedule = warmupCosineSchedule({ lr: learningRate, totalSteps: epochs * perEpoch, warmupSteps: 0 });
  const generator = new Generator(seed);
  try {
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = keep(tidy(() => randperm(N, { generator }).to(x.device))); // (N,) drawn on the CPU: the same order on every device
      try {
        for (let start = 0; start < N; start += batchSize, step++) {
          if (step % 16 === 15) await yieldToEventLoop(o.signal);
          tidy(() => {
            const rows = order.narrow(0, start, Math.min(batchSize, N - start)); // (b,)
            const loss = F.crossEntropy(head.forward(x.indexSelect(0, rows)), y.indexSelect(0, rows)); // ()
            optimizer.zeroGrad();
            loss.backward();
            optimizer.setLr(schedule(step));
            optimizer.step();
          });
        }
      } finally {
        order.dispose();
      }
    }
    const [weight, bias] = tidy(() => [head.weight.detach().clone(), head.bias!.detach().clone()]);
    const loss = tidy(() => F.crossEntropy(F.linear(x, weight, bias), y).item());
    return { weight: keep(weight), bias: keep(bias), loss, iterations: step };
  } finally {
    head.dispose();
    optimizer.dispose();
  }
}
