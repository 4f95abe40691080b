// A few SimCLR pretraining steps of a tiny ResNet on synthetic 8x8 images through the real step (NT-Xent with
// gathered negatives, online linear head, LARS), data-parallel when the world has several processes.
// Run as a script it joins the world from the environment and rank 0 saves the final weights to argv[2].
import { DataLoader } from '../../../src/data/loader.js';
import { InMemoryDataset } from '../../../src/data/dataset.js';
import { DataParallel } from '../../../src/distributed/data_parallel.js';
import type { World } from '../../../src/distributed/world.js';
import { buildModel } from '../../../src/models/simclr_model.js';
import { buildOptimizer } from '../../../src/pipeline/run/optimizers.js';
import { pretrainStep, type StepContext } from '../../../src/pipeline/stages/pretrain_step.js';
import { Generator, dispose, manualSeed, randint, saveSafetensors, setNumThreads, tidy, type Tensor } from '../../../src/tensor/index.js';

/**
 * lr 0.02 keeps these steps away from ReLU kinks: perturbing the weights by 1e-4 (relative) at any step moves the
 * final weights by only ~3e-4, so float rounding differences between 1 and 2 processes cannot flip an activation.
 */
export const TINY = { images: 64, side: 8, globalBatch: 8, steps: 4, lr: 0.02, seed: 0 };

export function syntheticDataset(): InMemoryDataset {
  const { images, side } = TINY;
  const pixels = tidy(() => randint(0, 256, [images * side * side], { generator: new Generator(1) }).to('uint8').dataSync() as Uint8Array);
  const labels = tidy(() => randint(0, 10, [images], { generator: new Generator(2) }).to('int32').dataSync() as Int32Array);
  return new InMemoryDataset({ name: 'synthetic', images: pixels, height: side, width: side, channels: 1, labels, classNames: Array.from({ length: 10 }, (_, i) => `c${i}`) });
}

export interface TinyRun {
  /** Global-batch loss of each step. */
  losses: number[];
  /** Final parameters and buffers by name (caller disposes). */
  state: Map<string, Tensor>;
  /** Largest change of any parameter element over the run. */
  maxUpdate: number;
}

/** Deterministic views (no random augmentation, so 1 and 2 processes see identical pixels): the image, then it flipped. */
function twoViews(): (x: Tensor) => Tensor {
  let call = 0;
  return (x) => (call++ % 2 === 0 ? x.float().div(255) : x.float().div(255).flip([3])); // (B, 1, 8, 8)
}

export function trainTiny(world: World): TinyRun {
  setNumThreads(1);
  manualSeed(TINY.seed);
  const model = buildModel({ depth: 18, widthMultiplier: 0.125, inChannels: 1, imageSize: TINY.side, numClasses: 10, projHead: { mode: 'nonlinear', numLayers: 3, outDim: 16 } });
  const optimizer = buildOptimizer(model.parameters(), { kind: 'lars', lr: TINY.lr, weightDecay: 1e-4, momentum: 0.9 });
  const parallel = world.size > 1 ? new DataParallel(world, model) : null;
  const loader = new DataLoader(syntheticDataset(), {
    batchSize: TINY.globalBatch, seed: TINY.seed, views: 2, transform: twoViews(), shard: { rank: world.rank, size: world.size },
  });
  const ctx: StepContext = { model, optimizer, temperature: 0.5, hiddenNorm: true, world, memory: null, parallel };
  const initial = model.parameters().map((p) => p.detach().clone());
  const losses: number[] = [];
  for (let step = 0; step < TINY.steps; step++) {
    const batch = loader.next();
    const scalars = pretrainStep(ctx, batch.views!, batch.labels, TINY.lr);
    // The step returns this process's loss; the training loop logs the global-batch mean as this does.
    losses.push(tidy(() => (ctx.parallel ? ctx.parallel.meanOverWorld({ loss: scalars.loss }) : scalars).loss.item()));
    dispose([batch.views, batch.labels, scalars]);
  }
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, t.detach().clone()]));
  const maxUpdate = Math.max(...model.parameters().map((p, i) => tidy(() => p.sub(initial[i]).abs().max().item())));
  dispose([initial]);
  model.dispose();
  optimizer.dispose();
  return { losses, state, maxUpdate };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { initWorld } = await import('../../../src/distributed/world_c10d.js');
  const world = initWorld();
  const run = trainTiny(world);
  if (world.rank === 0) saveSafetensors(process.argv[2], run.state);
  world.close();
  process.stdout.write(`${JSON.stringify({ rank: world.rank, losses: run.losses })}\n`);
}
