// A few fine-tuning steps then a few distillation steps (alpha > 0, so the labelled loader rides along) of a tiny
// ResNet on synthetic 8x8 images, through the real stage steps, data-parallel when the world has several processes.
// Run as a script it joins the world from the environment and rank 0 saves the final weights to argv[2].
import { DataLoader } from '../../../src/data/loader.js';
import { DataParallel } from '../../../src/distributed/data_parallel.js';
import type { World } from '../../../src/distributed/world.js';
import { buildModel, type SimCLRModel } from '../../../src/models/simclr_model.js';
import { distillStep } from '../../../src/pipeline/stages/distill.js';
import { finetuneStep } from '../../../src/pipeline/stages/finetune.js';
import { buildOptimizer } from '../../../src/pipeline/run/optimizers.js';
import type { StepResult } from '../../../src/pipeline/run/train_loop.js';
import { dispose, manualSeed, saveSafetensors, setNumThreads, tidy, type Tensor } from '../../../src/tensor/index.js';
import { syntheticDataset, TINY } from './train_tiny.js';

export const SUPERVISED_TINY = { steps: 4, lr: 0.02, alpha: 0.5, temperature: 2 };

export interface SupervisedTinyRun {
  finetuneLosses: number[];
  distillLosses: number[];
  /** The student's final parameters and buffers (caller disposes). */
  state: Map<string, Tensor>;
  maxUpdate: number;
}

const tinyModel = (): SimCLRModel => buildModel({
  depth: 18, widthMultiplier: 0.125, inChannels: 1, imageSize: TINY.side, numClasses: 10,
  projHead: { mode: 'nonlinear', numLayers: 3, outDim: 16, keepLayers: 1 },
});

/** No random augmentation, so 1 and 2 processes see identical pixels. */
const loaderOf = (world: World, seed: number, indices?: Int32Array) => new DataLoader(syntheticDataset(), {
  batchSize: TINY.globalBatch, seed, views: 1, dropLast: true, indices, transform: (x) => x.float().div(255), shard: { rank: world.rank, size: world.size },
});

/** The global-batch loss of each step (data parallel: the mean of the processes' local means, as the loop logs it). */
function losses(steps: number, parallel: DataParallel | null, step: (lr: number) => StepResult): number[] {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const r = step(SUPERVISED_TINY.lr);
    out.push(tidy(() => (parallel ? parallel.meanOverWorld({ loss: r.scalars.loss }) : r.scalars).loss.item()));
    dispose(Object.values(r.scalars));
  }
  return out;
}

/** Fine-tunes a model, then distils a frozen teacher (another model, eval mode) into it with alpha * cross-entropy. */
export function trainSupervisedTiny(world: World): SupervisedTinyRun {
  setNumThreads(1);
  manualSeed(TINY.seed);
  const model = tinyModel();
  const teacher = tinyModel().requiresGrad_(false).eval();
  const optimizer = buildOptimizer(model.parameters(), { kind: 'sgd', lr: SUPERVISED_TINY.lr, weightDecay: 1e-4, momentum: 0.9 });
  const parallel = world.size > 1 ? new DataParallel(world, model) : null;
  const initial = model.parameters().map((p) => p.detach().clone());
  const finetune = { loader: loaderOf(world, 1), model, optimizer };
  const finetuneLosses = losses(SUPERVISED_TINY.steps, parallel, (lr) => finetuneStep(finetune, lr, parallel));
  const labelled = Int32Array.from({ length: 32 }, (_, i) => 2 * i);
  const distill = { loader: loaderOf(world, 2), labelledLoader: loaderOf(world, 3, labelled), teacher, student: model, optimizer };
  const distillLosses = losses(SUPERVISED_TINY.steps, parallel, (lr) => distillStep(distill, { temperature: SUPERVISED_TINY.temperature, scaleByTemperatureSquared: true, alpha: SUPERVISED_TINY.alpha }, lr, parallel));
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, t.detach().clone()]));
  const maxUpdate = Math.max(...model.parameters().map((p, i) => tidy(() => p.sub(initial[i]).abs().max().item())));
  dispose([initial]);
  for (const m of [model, teacher, optimizer]) m.dispose();
  return { finetuneLosses, distillLosses, state, maxUpdate };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { initWorld } = await import('../../../src/distributed/world_c10d.js');
  const world = initWorld();
  const run = trainSupervisedTiny(world);
  if (world.rank === 0) saveSafetensors(process.argv[2], run.state);
  world.close();
  process.stdout.write(`${JSON.stringify({ rank: world.rank, finetuneLosses: run.finetuneLosses, distillLosses: run.distillLosses })}\n`);
}
