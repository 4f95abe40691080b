// Benchmark: the fashion-mnist-cpu pretraining step (ResNet-18 x0.25, 28x28 grayscale, batch 256 x 2 views, 3-layer
// projection head, NT-Xent, online linear head, SGD) here (the real pretrainStep) vs the same step in PyTorch from
// Python (bench/pretrain_step_pytorch.py), same thread count and malloc settings, alternating runs, medians.
// Augmentation is left out on both sides (bench:augment measures it). Images/s counts images, each two views.
// Run: node --import tsx bench/pretrain_step.ts [--rounds 3] [--steps 5] [--warmup 2] [--threads N] [--width 0.25]
//      [--batch 256] [--python-default-malloc] [--contiguous (NCHW input here instead of the channels-last default)]
//      [--device cpu|cuda|cuda:N] [--precision fp32|bf16 (autocast forward on both sides)]
// On a GPU both sides wait for the device before stopping the clock; SIMCLR_BENCH_PYTHON picks the Python with torch.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { singleProcess } from '../src/distributed/world.js';
import { buildModel } from '../src/models/index.js';
import { buildOptimizer } from '../src/pipeline/run/optimizers.js';
import { pretrainPresets, validatePretrainConfig } from '../src/pipeline/config/pretrain_config.js';
import { modelDescriptionFor } from '../src/pipeline/stages/pretrain_setup.js';
import { pretrainStep, type StepContext } from '../src/pipeline/stages/pretrain_step.js';
import type { Dataset } from '../src/data/dataset.js';
import { dispose, manualSeed, rand, randint, setNumThreads, tidy, tuneMalloc, type Tensor } from '../src/tensor/index.js';
import { MixedPrecision } from '../src/pipeline/stages/mixed_precision.js';
import { checkDevice } from '../src/pipeline/stages/device_check.js';
import { median, startPythonWorker, TUNED_MALLOC_ENV } from './python_worker.js';

const text = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const arg = (name: string, fallback: number) => Number(text(name, String(fallback)));
const device = text('device', 'cpu');
const precision = text('precision', 'fp32') as 'fp32' | 'bf16';
if (precision !== 'fp32' && precision !== 'bf16') throw new Error(`--precision ${String(precision)}: fp32 or bf16`);
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
  const model = buildModel(modelDescriptionFor(config, imageFacts as unknown as Dataset)).to(device);
  if (process.argv.includes('--contiguous')) model.encoder.memoryFormat = 'contiguous';
  const optimizer = buildOptimizer(model.parameters(), { kind: 'sgd', lr: 0.1, weightDecay: 1e-4, momentum: 0.9 });
  const ctx: StepContext = { model, optimizer, temperature: 0.5, hiddenNorm: true, world: singleProcess, memory: null, precision: new MixedPrecision(precision, device) };
  const views: [Tensor, Tensor] = [rand([batch, 1, side, side], { device }), rand([batch, 1, side, side], { device })];
  const labels = randint(0, 10, [batch], { device });
  const step = () => dispose(pretrainStep(ctx, views, labels, 0.1));
  // A read of the weights waits for every kernel queued before it (one CUDA stream): the clock stops after real work.
  const sync = () => tidy(() => model.parameters()[0].sum().item());
  return {
    measure: async (): Promise<number> => {
      for (let i = 0; i < warmup; i++) step();
      sync();
      const start = performance.now();
      for (let i = 0; i < steps; i++) {
        step();
        await new Promise((resolve) => setImmediate(resolve)); // as the training loop: finalizers run between steps
      }
      sync();
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
checkDevice(device);
const python = startPythonWorker(new URL('./pretrain_step_pytorch.py', import.meta.url), ['--threads', String(threads)],
  process.argv.includes('--python-default-malloc') ? {} : TUNED_MALLOC_ENV);
const info = await python.ready();
console.log(`# fashion-mnist-cpu pretraining step: ResNet-18 x${preset.widthMultiplier}, ${side}x${side}x1, batch ${batch} x 2 views, ${device}, ${precision}, ` +
  `${threads} thread(s), torch ${info.torch}, ${rounds} rounds of ${steps} steps (medians, images/s)`);
const rows: string[] = [];
for (const stem of stems) {
  const ours: number[] = [];
  const theirs: number[] = [];
  const runner = tsRunner(stem);
  for (let r = 0; r < rounds; r++) {
    ours.push(await runner.measure());
    theirs.push((await python.run<{ images_per_s: number }>({ width: preset.widthMultiplier, stem_stride: stem === 'cifar' ? 1 : 2, side, batch, steps, warmup, device: device.startsWith('cuda') ? device : 'cpu', precision })).images_per_s);
  }
  runner.dispose();
  const [a, b] = [median(ours), median(theirs)];
  rows.push(`| ${stem.padEnd(7)} | ${a.toFixed(1).padStart(10)} | ${b.toFixed(1).padStart(12)} | ${(a / b).toFixed(2).padStart(5)} |`);
}
python.close();
console.log('| stem    | simclr-ts  | PyTorch (py) | ratio |\n|---------|-----------:|-------------:|------:|');
for (const row of rows) console.log(row);
