// The pretraining stage: SimCLRv2 self-supervised training as a client of the one training loop (run/train_loop.ts):
// the SimCLR step, the kNN monitor every few epochs, the final kNN + online linear evaluation, and the EMA encoder
// and memory queue as extra checkpoint state. Reference: google-research/simclr tf2/run.py.
import type { World } from '../../distributed/world.js';
import { processDevice } from '../../distributed/device.js';
import { buildModel, type SimCLRModel } from '../../models/simclr_model.js';
import { dispose, type Tensor } from '../../tensor/index.js';
import type { EventSink } from '../run/events.js';
import { NegativeQueue } from '../../losses/memory_queue.js';
import { evaluateClassifier, evaluateKnn, knnBankSize } from './pretrain_eval.js';
import type { PretrainConfig } from '../config/pretrain_config.js';
import { setupPretrain, type PretrainSetup } from './pretrain_setup.js';
import { openStage } from './stage_setup.js';
import { pretrainStep, stepMetrics, type StepContext } from './pretrain_step.js';
import { composeExtraStates, MixedPrecision, type PrecisionChoice } from './mixed_precision.js';
import { finishStage, rates, runTrainingLoop, type ExtraState, type Metrics, type StepResult, type TrainingRun } from '../run/train_loop.js';
import type { StopSignal } from '../run/stop_signal.js';

export interface PretrainOptions {
  out: string;
  resume?: boolean;
  onEvent?: EventSink;
  stop?: StopSignal;
  world?: World;
}

export interface PretrainSummary {
  stage: 'pretrain';
  steps: number;
  epochs: number;
  knn_top1: number | null;
  /** Train images in the final kNN bank: the first knnTrainLimit of the (trainLimit-cut) train split. */
  knn_train_images: number | null;
  linear_top1: number | null;
  linear_top5: number | null;
  contrastive_top1: number | null;
  loss: number | null;
  images_per_s: number;
  data_wait_fraction: number;
  /** --precision of the steps (fp32, or bf16 / fp16 autocast). */
  precision: PrecisionChoice;
  /** Seconds in training steps, and in steps plus evaluations (setup excluded), as every stage reports them. */
  train_s: number;
  wall_s: number;
  interrupted: boolean;
  checkpoint: string;
}


export async function pretrain(config: PretrainConfig, o: PretrainOptions): Promise<PretrainSummary> {
  const { emit, world, folder } = openStage(config, o);
  const precision = new MixedPrecision(config.precision, config.device);
  const setup = await setupPretrain(config, { shard: world.size > 1 ? { rank: world.rank, size: world.size } : undefined, signal: o.stop?.signal, device: processDevice(config.device, world) });
  const { model, optimizer, loader } = setup;
  const ctx: StepContext = {
    model, optimizer, temperature: config.temperature, hiddenNorm: config.hiddenNorm, directions: config.ntXentDirections, world,
    memory: config.memorySize > 0 ? { ema: emaCopy(model), queue: new NegativeQueue(config.memorySize, config.projOutDim, model.device), momentum: config.memoryMomentum } : null,
    precision,
  };
  try {
    if (!folder.exists('config.json')) folder.writeJson('config.json', config);
    const run: TrainingRun = {
      stage: 'pretrain', folder, model, optimizer, schedule: setup.schedule, totalSteps: setup.totalSteps,
      batchesPerEpoch: loader.batchesPerEpoch, loaders: { train: loader }, checkpointExtra: { precision: precision.precision }, message: describeRun(setup, config, precision),
      settings: { logEvery: config.logEvery, checkpointEvery: config.checkpointEvery, keepCheckpoints: config.keepCheckpoints, evalEvery: config.knnEvery },
      parallelModules: ctx.memory ? [model, ctx.memory.ema] : [model],
      step: (lr, parallel) => step(setup, ctx, lr, parallel),
      evaluate: (signal) => finalEvaluation(setup, config, world, emit, signal),
      periodic: setup.test && setup.train.labels ? { kind: 'monitor', evaluate: (signal) => knnMonitor(setup, config, world, signal) } : undefined,
      extraState: composeExtraStates(ctx.memory ? memoryState(ctx.memory) : undefined, precision.extraState()),
    };
    const r = await runTrainingLoop(run, { resume: o.resume, emit, stop: o.stop, world, globalBn: config.globalBn });
    const { images_per_s, data_wait_fraction, train_s, wall_s } = rates(r);
    return finishStage(folder, emit, {
      stage: 'pretrain', steps: r.step, epochs: r.step / loader.batchesPerEpoch,
      knn_top1: r.lastEval?.knn_top1 ?? null, knn_train_images: r.lastEval?.knn_train_images ?? null,
      linear_top1: r.lastEval?.linear_top1 ?? null, linear_top5: r.lastEval?.linear_top5 ?? null,
      contrastive_top1: r.last.contrastive_top1 ?? null, loss: r.last.loss ?? null,
      images_per_s, data_wait_fraction, precision: precision.precision, train_s, wall_s, interrupted: r.interrupted, checkpoint: r.checkpoint,
    } satisfies PretrainSummary);
  } finally {
    ctx.memory?.ema.dispose();
    ctx.memory?.queue.dispose();
    model.dispose();
    optimizer.dispose();
  }
}

function step(s: PretrainSetup, ctx: StepContext, lr: number, parallel: StepContext['parallel']): StepResult {
  const batch = s.loader.next();
  try {
    ctx.parallel = parallel;
    const scalars = stepMetrics(pretrainStep(ctx, batch.views!, batch.labels, lr));
    return { scalars, images: batch.indices.length, waitMs: batch.waitMs, epoch: batch.epoch };
  } finally {
    dispose([batch.views, batch.labels]);
  }
}

/** The kNN monitor (test split; recorded, never used to choose anything). */
async function knnMonitor(s: PretrainSetup, c: PretrainConfig, world: World, signal?: AbortSignal): Promise<Metrics> {
  return { knn_top1: await evaluateKnn(s.model, s.train, s.test!, knnSettings(c, signal), world) };
}

const knnSettings = (c: PretrainConfig, signal?: AbortSignal) => ({ k: c.knnK, temperature: c.knnTemperature, trainLimit: c.knnTrainLimit, signal });

/** The EMA encoder and the negatives queue, saved in every checkpoint (tensors 'ema.*' and 'queue', sidecar `queue`). */
function memoryState(memory: NonNullable<StepContext['memory']>): ExtraState {
  return {
    save: () => {
      const tensors = new Map<string, Tensor>();
      for (const [name, t] of memory.ema.stateDict()) tensors.set(`ema.${name}`, t);
      tensors.set('queue', memory.queue.keys);
      return { extra: { queue: memory.queue.state }, tensors };
    },
    restore: (extra, tensors, sidecarPath) => {
      const ema = new Map([...tensors].filter(([k]) => k.startsWith('ema.')).map(([k, t]) => [k.slice(4), t]));
      memory.ema.loadStateDict(ema);
      const queue = extra.queue as { pointer: number; filled: number } | null | undefined;
      if (!queue || !tensors.has('queue')) throw new Error(`checkpoint ${sidecarPath} has no memory queue state but the config enables memorySize`);
      memory.queue.restore(tensors.get('queue')!, queue);
    },
  };
}

function emaCopy(model: SimCLRModel): SimCLRModel {
  const ema = buildModel(model.description).to(model.device);
  ema.loadStateDict(model.stateDict());
  ema.requiresGrad_(false);
  return ema;
}

function describeRun(s: PretrainSetup, c: PretrainConfig, mp: MixedPrecision): string {
  const params = s.model.encoder.numParameters();
  return `ResNet-${c.depth} x${c.widthMultiplier}${c.skRatio ? ' +SK' : ''} (${(params / 1e6).toFixed(2)}M encoder params), ` +
    `${s.train.length} images, batch ${c.batchSize}, ${s.totalSteps} steps (${s.loader.batchesPerEpoch}/epoch), ` +
    `${c.optimizer} peak lr ${s.peakLr.toPrecision(3)}, warm-up ${s.warmupSteps} steps, temperature ${c.temperature}${mp.describe()}`;
}

/** kNN on encoder features and the online linear head's test accuracy (labelled data only), sharded when data parallel. */
async function finalEvaluation(s: PretrainSetup, c: PretrainConfig, world: World, emit: EventSink, signal?: AbortSignal): Promise<Metrics | null> {
  if (!s.test || !s.train.labels) return null;
  const bank = knnBankSize(s.train, c.knnTrainLimit);
  emit({ type: 'info', stage: 'pretrain', message: `final evaluation: kNN with a bank of ${bank} train images on ${s.test.length} test images${s.model.supervisedHead ? ', then the online linear head' : ''}` });
  const knn = await evaluateKnn(s.model, s.train, s.test, knnSettings(c, signal), world);
  const linear = s.model.supervisedHead ? await evaluateClassifier(s.model, s.test, world, signal) : null;
  return { knn_top1: knn, knn_train_images: bank, ...(linear ? { linear_top1: linear.top1, linear_top5: linear.top5 } : {}) };
}
