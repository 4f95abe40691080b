// Benchmark: the fashion-mnist-cpu pretraining step (ResNet-18 x0.25, 28x28 grayscale, batch 256 x 2 views, 3-layer
// projection head, NT-Xent, online linear head, SGD) here (the real pretrainStep) vs the same step in PyTorch from
// Python (bench/pretrain_step_pytorch.py), same thread count and malloc settings, alternating runs, medians.
// Augmentation is left out on both sides (bench:augment measures it). Images/s counts images, each two views.
// Run: node --import tsx bench/pretrain_step.ts [--rounds 3] [--steps 5] [--warmup 2] [--threads N] [--width 0.25]
//      [--batch 256] [--python-default-malloc] [--contiguous (NCHW input here instead of the channels-last default)]
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { singleProcess } from '../src/distributed/world.js';
import { buildModel } from '../src/models/index.js';
import { buildOptimizer } from '../src/pipeline/run/optimizers.js';
import { pretrainPresets, validatePretrainConfig } from '../src/pipeline/config/pretrain_config.js';
import { modelDescriptionFor } from '../src/pipeline/stages/pretrain_setup.js';
import { pretrainStep, type StepContext } from '../src/pipeline/stages/pretrain_step.js';
import type { Dataset } from '../src/data/dataset.js';
import { dispose, manualSeed, rand, randint, setNumThreads, tuneMalloc, type Tensor } from '../src/tensor/index.js';
import { median, startPythonWorker, TUNED_MALLOC_ENV } from './python_worker.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 3);
const steps = arg('steps', 5);
const warmup = arg('warmup', 2);
const threads = arg('threads', availableParallelism());
const side = 28;
const preset = validatePretrainConfig({ ...pretrainPresets['fashion-mnist-cpu'], widthMultiplier: arg('width', pretrainPresets['fashion-mnist-cpu'].widthMultiplier as number), batchSize: arg('batch', 256) });
const batch = preset.batchSize;
const stems = ['cifar', 'stride2'] as const;

function tsRunner(stem: (typeof stems)[number]) {
  manualSeed(0);
  const config = { ...preset, stem };
  const imageFacts = { channels: 1, height: side, width: side, labels: new Int32Array(1), numClasses: 10 }; // what the description reads
  const model = buildModel(modelDescriptionFor(config, imageFacts as unknown as Dataset));
  if (process.argv.includes('--contiguous')) model.encoder.memoryFormat = 'contiguous';
  const optimizer = buildOptimizer(model.parameters(), { kind: 'sgd', lr: 0.1, weightDecay: 1e-4, momentum: 0.9 });
  const ctx: StepContext = { model, optimizer, temperature: 0.5, hiddenNorm: true, world: singleProcess, memory: null };
  const views: [Tensor, Tensor] = [rand([batch, 1, side, side]), rand([batch, 1, side, side])];
  const labels = randint(0, 10, [batch]);
  const step = () => dispose(pretrainStep(ctx, views, labels, 0.1));
  return {
    measure: async (): Promise<number> => {
      for (let i = 0; i < warmup; i++) step();
      const start = performance.now();
      for (let i = 0; i < steps; i++) {
        step();
        await new Promise((resolve) => setImmediate(resolve)); // as the training loop: finalizers run between steps
      }
      return (steps * batch) / ((performance.now() - start) / 1000);
    },
    dispose: () => {
      dispose([...views, labels]);
      model.dispose();
      optimizer.dispose();
    },
  };
}

tuneMalloc(); // the heap settings the CLI runs with
setNumThreads(threads);
const python = startPythonWorker(new URL('./pretrain_step_pytorch.py', import.meta.url), ['--threads', String(threads)],
  process.argv.includes('--python-default-malloc') ? {} : TUNED_MALLOC_ENV);
const info = await python.ready();
console.log(`# fashion-mnist-cpu pretraining step: ResNet-18 x${preset.widthMultiplier}, ${side}x${side}x1, batch ${batch} x 2 views, ` +
  `${threads} thread(s), torch ${info.torch}, ${rounds} rounds of ${steps} steps (medians, images/s)`);
const rows: string[] = [];
for (const stem of stems) {
  const ours: number[] = [];
  const theirs: number[] = [];
  const runner = tsRunner(stem);
  for (let r = 0; r < rounds; r++) {
    ours.push(await runner.measure());
    theirs.push((await python.run<{ images_per_s: number }>({ width: preset.widthMultiplier, stem_stride: stem === 'cifar' ? 1 : 2, side, batch, steps, warmup })).images_per_s);
  }
  runner.dispose();
  const [a, b] = [median(ours), median(theirs)];
  rows.push(`| ${stem.padEnd(7)} | ${a.toFixed(1).padStart(10)} | ${b.toFixed(1).padStart(12)} | ${(a / b).toFixed(2).padStart(5)} |`);
}
python.close();
console.log('| stem    | simclr-ts  | PyTorch (py) | ratio |\n|---------|-----------:|-------------:|------:|');
for (const row of rows) console.log(row);
