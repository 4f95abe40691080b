// One SimCLRv2 pretraining step: two views -> encoder -> projection head -> NT-Xent (+ the online linear head on
// detached features) -> backward -> optimiser step. Reference: tf2/run.py train_step, tf2/model.py.
import type { DataParallel } from '../../distributed/data_parallel.js';
import type { World } from '../../distributed/world.js';
import { contrastiveAccuracy, ntXent } from '../../losses/ntxent.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import type { GroupOptions, Optimizer } from '../../optim/index.js';
import { noGrad, F, cat, tidy, type Tensor } from '../../tensor/index.js';
import { emaUpdate, type NegativeQueue } from '../../losses/memory_queue.js';

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
  /** Data-parallel training (world.size > 1): averages gradients after backward and the scalars it returns. */
  parallel?: DataParallel | null;
}

/** Scalars of one step, as 0-dim tensors (read with .item() only when logging). */
export interface StepScalars {
  loss: Tensor;
  contrastiveLoss: Tensor;
  contrastiveAcc: Tensor;
  linearLoss: Tensor | null;
  linearAcc: Tensor | null;
}

export function pretrainStep(ctx: StepContext, views: [Tensor, Tensor], labels: Tensor | null, lr: number): StepScalars {
  return tidy(() => {
    const { model, optimizer, memory } = ctx;
    const x = cat(views, 0); // (2B, C, H, W): view 1 rows then view 2 rows
    const out = model.forward(x, { linearEval: true });
    const contrast = ntXent(out.z, { temperature: ctx.temperature, hiddenNorm: ctx.hiddenNorm, directions: ctx.directions, world: ctx.world, extraNegatives: memory?.queue.negatives() ?? null });
    let loss = contrast.loss; // ()
    let linearLoss: Tensor | null = null;
    let linearAcc: Tensor | null = null;
    if (out.logits && labels) {
      const both = cat([labels, labels], 0); // (2B,) both views carry the label, as the official code
      linearLoss = F.crossEntropy(out.logits, both); // ()
      linearAcc = out.logits.argmax(1).eq(both).float().mean(); // ()
      loss = loss.add(linearLoss);
    }
    optimizer.zeroGrad();
    loss.backward();
    ctx.parallel?.syncGradients();
    optimizer.setLr(lr);
    optimizer.step();
    if (memory) {
      noGrad(() => memory.queue.enqueue(ctx.world.allGather(memory.ema.forward(x).z))); // keys of every process's EMA network, before its update
      emaUpdate(memory.ema, model, memory.momentum);
    }
    const scalars = { loss: loss.detach(), contrastiveLoss: contrast.loss.detach(), contrastiveAcc: contrastiveAccuracy(contrast), linearLoss: linearLoss?.detach() ?? null, linearAcc };
    return ctx.parallel ? ctx.parallel.meanOverWorld(scalars) : scalars; // global-batch means with several processes
  });
}
