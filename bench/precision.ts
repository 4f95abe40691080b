// Benchmark: the fashion-mnist-cpu pretraining step in float32 vs bfloat16 autocast (forward under autocast, losses
// in float32), here and in PyTorch from Python (bench/pretrain_step_pytorch.py with precision bf16: torch.autocast('cpu', torch.bfloat16)) on
// the same libtorch, same threads and malloc settings, alternating runs, medians of wall-time and CPU-time rates.
// Prints the CPU's bf16 support.
// Run: node --import tsx bench/precision.ts [--rounds 3] [--steps 5] [--warmup 2] [--threads N] [--width 0.25]
//      [--batch 256] [--stem stride2|cifar] [--contiguous (NCHW here, as the Python side, instead of channels-last)]
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ntXent } from '../src/losses/index.js';
import { buildModel, type ModelDescriptionInput } from '../src/models/index.js';
import { SGD } from '../src/optim/index.js';
import { pretrainPresets, validatePretrainConfig, type PretrainConfig } from '../src/pipeline/index.js';
import { autocast, cat, describeCpu, dispose, F, manualSeed, rand, randint, setNumThreads, tidy, tuneMalloc } from '../src/tensor/index.js';
import { median, startPythonWorker, TUNED_MALLOC_ENV } from './python_worker.js';

type Precision = 'fp32' | 'bf16';
/** Images per second of wall time, and per second of CPU time (all threads): the latter survives a busy machine. */
interface Rates { wall: number; cpu: number }
const PRECISIONS: Precision[] = ['fp32', 'bf16'];
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('rounds', '3'));
const steps = Number(arg('steps', '5'));
const warmup = Number(arg('warmup', '2'));
const threads = Number(arg('threads', String(availableParallelism())));
const side = 28;
const base = pretrainPresets['fashion-mnist-cpu'];
const config = validatePretrainConfig({ ...base, widthMultiplier: Number(arg('width', String(base.widthMultiplier))), batchSize: Number(arg('batch', '256')), stem: arg('stem', String(base.stem)) });
const batch = config.batchSize;

/** The preset's model for 28x28 grayscale Fashion-MNIST with the online linear head (10 classes). */
function description(c: PretrainConfig): ModelDescriptionInput {
  return {
    depth: c.depth, widthMultiplier: c.widthMultiplier, skRatio: c.skRatio, seRatio: c.seRatio, stem: c.stem, inChannels: 1, imageSize: side, numClasses: 10,
    projHead: { mode: c.projHeadMode, numLayers: c.numProjLayers, outDim: c.projOutDim, ...(c.projHiddenDim === undefined ? {} : { hiddenDim: c.projHiddenDim }) },
    ftProjSelector: c.ftProjSelector, bnMomentum: c.bnMomentum, zeroInitResidual: c.zeroInitResidual,
  };
}

function tsRunner(precision: Precision) {
  manualSeed(0);
  const model = buildModel(description(config));
  if (process.argv.includes('--contiguous')) model.encoder.memoryFormat = 'contiguous';
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  const x = tidy(() => cat([rand([batch, 1, side, side]), rand([batch, 1, side, side])], 0)); // (2B, 1, H, W)
  const labels = tidy(() => randint(0, 10, [batch]).repeat([2])); // (2B,)
  const step = () => tidy(() => {
    const out = autocast({ device: 'cpu', dtype: 'bfloat16', enabled: precision === 'bf16' }, () => model.forward(x, { linearEval: true }));
    const loss = ntXent(out.z.float(), { temperature: 0.5 }).loss.add(F.crossEntropy(out.logits!.float(), labels)); // () float32
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  });
  return {
    measure: async (): Promise<Rates> => {
      for (let i = 0; i < warmup; i++) step();
      const [start, cpu] = [performance.now(), process.cpuUsage()];
      for (let i = 0; i < steps; i++) {
        step();
        await new Promise((resolve) => setImmediate(resolve)); // as the training loop: finalizers run between steps
      }
      const used = process.cpuUsage(cpu);
      return { wall: (steps * batch) / ((performance.now() - start) / 1000), cpu: (steps * batch) / ((used.user + used.system) / 1e6) };
    },
    dispose: () => {
      dispose([x, labels]);
      model.dispose();
      optimizer.dispose();
    },
  };
}

tuneMalloc(); // the heap settings the CLI runs with
setNumThreads(threads);
const python = startPythonWorker(new URL('./pretrain_step_pytorch.py', import.meta.url), ['--threads', String(threads)], TUNED_MALLOC_ENV);
const info = await python.ready();
console.log(`# fashion-mnist-cpu pretraining step, fp32 vs bf16 autocast: ResNet-18 x${config.widthMultiplier} (${config.stem} stem), ` +
  `${side}x${side}x1, batch ${batch} x 2 views, ${threads} thread(s), torch ${info.torch}, ${rounds} rounds of ${steps} steps (medians, images/s)`);
console.log(`# CPU: ${describeCpu()}; layout here ${process.argv.includes('--contiguous') ? 'NCHW' : 'channels-last'}, PyTorch NCHW`);
const runners = { fp32: tsRunner('fp32'), bf16: tsRunner('bf16') };
const results = { ts: { fp32: [] as Rates[], bf16: [] as Rates[] }, py: { fp32: [] as Rates[], bf16: [] as Rates[] } };
for (let r = 0; r < rounds; r++) {
  for (const precision of r % 2 ? [...PRECISIONS].reverse() : PRECISIONS) {
    results.ts[precision].push(await runners[precision].measure());
    const request = { width: config.widthMultiplier, stem_stride: config.stem === 'cifar' ? 1 : 2, side, batch, steps, warmup, precision };
    const answer = await python.run<{ images_per_s: number; images_per_cpu_s: number }>(request);
    results.py[precision].push({ wall: answer.images_per_s, cpu: answer.images_per_cpu_s });
  }
}
python.close();
for (const runner of Object.values(runners)) runner.dispose();

for (const kind of ['wall', 'cpu'] as const) {
  const m = (side: 'ts' | 'py', p: Precision) => median(results[side][p].map((x) => x[kind]));
  const list = (side: 'ts' | 'py', p: Precision) => results[side][p].map((x) => x[kind].toFixed(0)).join(' ');
  const row = (name: string, a: number, b: number, digits = 1, last = (b / a).toFixed(2)) =>
    `| ${name.padEnd(17)} | ${a.toFixed(digits).padStart(8)} | ${b.toFixed(digits).padStart(8)} | ${last.padStart(9)} |`;
  console.log(`\n# images per ${kind === 'wall' ? 'second of wall time' : 'CPU-second (all threads)'}; per round: simclr-ts fp32 ${list('ts', 'fp32')} | bf16 ${list('ts', 'bf16')}; ` +
    `PyTorch fp32 ${list('py', 'fp32')} | bf16 ${list('py', 'bf16')}`);
  console.log(`| images/${kind === 'wall' ? 's    ' : 'CPU-s'}    |     fp32 |     bf16 | bf16/fp32 |\n|-------------------|---------:|---------:|----------:|`);
  console.log(row('simclr-ts', m('ts', 'fp32'), m('ts', 'bf16')));
  console.log(row('PyTorch (py)', m('py', 'fp32'), m('py', 'bf16')));
  console.log(row('simclr-ts/PyTorch', m('ts', 'fp32') / m('py', 'fp32'), m('ts', 'bf16') / m('py', 'bf16'), 2, ''));
}
