// One SimCLRv2 pretraining step: two views -> encoder -> projection head -> NT-Xent (+ the online linear head on
// detached features) -> backward -> optimiser step; the forward optionally in mixed precision, the losses in fp32.
// Reference: tf2/run.py train_step, tf2/model.py.
import type { DataParallel } from '../../distributed/data_parallel.js';
import type { World } from '../../distributed/world.js';
import { contrastiveAccuracy, ntXent } from '../../losses/ntxent.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import type { GroupOptions, Optimizer } from '../../optim/index.js';
import { noGrad, F, cat, tidy, type Tensor } from '../../tensor/index.js';
import { emaUpdate, type NegativeQueue } from '../../losses/memory_queue.js';
import { MixedPrecision } from './mixed_precision.js';

export interface StepContext {
  model: SimCLRModel;
  optimizer: Optimizer<GroupOptions>;
  temperature: number;
  hiddenNorm: boolean;
  /** How NT-Xent combines its two directions (default 'sum', the official scale). */
  directions?: 'sum' | 'mean';
  world: World;
  /** MoCo-style memory: EMA model and queue, when enabled. */
  memory: { ema: SimCLRModel; queue: NegativeQueue; momentum: number } | null;
  /** Data-parallel training (world.size > 1): averages gradients after backward. */
  parallel?: DataParallel | null;
  /** --precision: forward passes under autocast, fp16 steps through a gradient scaler (default fp32). */
  precision?: MixedPrecision;
}

/** Scalars of one step, as 0-dim tensors (this process's batch; the training loop averages them when it logs). */
export interface StepScalars {
  loss: Tensor;
  contrastiveLoss: Tensor;
  contrastiveAcc: Tensor;
  linearLoss: Tensor | null;
  linearAcc: Tensor | null;
  /** fp16: the loss scale this step used and whether it was skipped (inf/NaN gradients); absent otherwise. */
  precision: Record<string, Tensor>;
}

const FP32 = new MixedPrecision('fp32');

export function pretrainStep(ctx: StepContext, views: [Tensor, Tensor], labels: Tensor | null, lr: number): StepScalars {
  return tidy(() => {
    const { model, optimizer, memory } = ctx;
    const mp = ctx.precision ?? FP32;
    const x = cat(views, 0); // (2B, C, H, W): view 1 rows then view 2 rows
    const out = mp.forward(() => model.forward(x, { linearEval: true }));
    const z = out.z.float(); // (2B, D): the loss in fp32 whatever the forward's precision
    const contrast = ntXent(z, { temperature: ctx.temperature, hiddenNorm: ctx.hiddenNorm, directions: ctx.directions, world: ctx.world, extraNegatives: memory?.queue.negatives() ?? null });
    let loss = contrast.loss; // ()
    let linearLoss: Tensor | null = null;
    let linearAcc: Tensor | null = null;
    if (out.logits && labels) {
      const logits = out.logits.float(); // (2B, K)
      const both = cat([labels, labels], 0); // (2B,) both views carry the label, as the official code
      linearLoss = F.crossEntropy(logits, both); // ()
      linearAcc = logits.argmax(1).eq(both).float().mean(); // ()
      loss = loss.add(linearLoss);
    }
    const precision = mp.backwardAndStep(optimizer, loss, lr, ctx.parallel);
    if (memory) {
      // keys of every process's EMA network, before its update
      noGrad(() => memory.queue.enqueue(ctx.world.allGather(mp.forward(() => memory.ema.forward(x)).z.float()))); // (2B * world, D)
      emaUpdate(memory.ema, model, memory.momentum);
    }
    return { loss: loss.detach(), contrastiveLoss: contrast.loss.detach(), contrastiveAcc: contrastiveAccuracy(contrast), linearLoss: linearLoss?.detach() ?? null, linearAcc, precision };
  });
}

/** The step's scalars under the names the run logs (metrics.jsonl, progress lines). */
export function stepMetrics(s: StepScalars): Record<string, Tensor> {
  const named: Record<string, Tensor> = { loss: s.loss, contrastive_loss: s.contrastiveLoss, contrastive_top1: s.contrastiveAcc };
  if (s.linearLoss) named.linear_loss = s.linearLoss;
  if (s.linearAcc) named.linear_train_top1 = s.linearAcc;
  return { ...named, ...s.precision };
}
