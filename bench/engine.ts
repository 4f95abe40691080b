// Engine benchmark: the same ResNet-18 (CIFAR stem) supervised training step (forward, cross-entropy, backward,
// SGD with momentum and weight decay) here and in PyTorch from Python on the same libtorch, same batch and
// thread count, alternating runs; medians. Last line: ratio_vs_pytorch = ours / PyTorch images/s.
// Run: npm run bench:engine [-- --batch 64 --rounds 3 --steps 5 --threads 2 --channels-last --python-tuned-malloc]
import { availableParallelism } from 'node:os';
import { Linear } from '../src/nn/index.js';
import { ResNet, parseModelDescription } from '../src/models/index.js';
import { SGD } from '../src/optim/index.js';
import { F, dispose, manualSeed, rand, randint, setNumThreads, tuneMalloc, tidy } from '../src/tensor/index.js';
import { median, startPythonWorker, TUNED_MALLOC_ENV } from './python_worker.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = arg('batch', 64);
const side = 32;
const rounds = arg('rounds', 3);
const steps = arg('steps', 5);
const warmup = arg('warmup', 2);
const threads = arg('threads', availableParallelism());
const channelsLast = process.argv.includes('--channels-last');
/** Give Python the same glibc malloc settings the addon applies to itself (default: Python's defaults). */
const pythonTunedMalloc = process.argv.includes('--python-tuned-malloc');

function buildTs() {
  manualSeed(0);
  const encoder = ResNet.fromDescription(parseModelDescription({ depth: 18, widthMultiplier: 1, imageSize: side, inChannels: 3, projHead: { mode: 'none' } }));
  if (channelsLast) encoder.memoryFormat = 'channelsLast';
  const fc = new Linear({ inFeatures: 512, outFeatures: 10 });
  const optimizer = new SGD([...encoder.parameters(), ...fc.parameters()], { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
  return { encoder, fc, optimizer };
}

function runTs(m: ReturnType<typeof buildTs>): number {
  const x = rand([batch, 3, side, side]); // (B, 3, 32, 32)
  const y = randint(0, 10, [batch]); // (B,)
  const step = () => tidy(() => {
    m.optimizer.zeroGrad();
    F.crossEntropy(m.fc.forward(m.encoder.forward(x)), y).backward();
    m.optimizer.step();
  });
  for (let i = 0; i < warmup; i++) step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - start) / 1000;
  dispose([x, y]);
  return (steps * batch) / seconds;
}

async function main(): Promise<void> {
  tuneMalloc(); // the heap settings the CLI runs with
  setNumThreads(threads);
  const python = startPythonWorker(new URL('./engine_pytorch.py', import.meta.url), ['--threads', String(threads)], pythonTunedMalloc ? TUNED_MALLOC_ENV : {});
  const info = await python.ready();
  const model = buildTs();
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(runTs(model));
    theirs.push((await python.run<{ images_per_s: number }>({ batch, side, steps, warmup, channels_last: channelsLast })).images_per_s);
    console.log(`round ${r + 1}/${rounds}: simclr-ts ${ours[r].toFixed(1)} images/s, PyTorch ${theirs[r].toFixed(1)} images/s`);
  }
  python.close();
  const [a, b] = [median(ours), median(theirs)];
  console.log(`\nResNet-18 CIFAR stem training step, batch ${batch}, ${side}x${side}x3, ${threads} threads, ${channelsLast ? 'channels-last' : 'NCHW'}, torch ${info.torch}, Python malloc ${pythonTunedMalloc ? 'tuned as the addon' : 'default'}`);
  console.log('| implementation | images/s (median) |');
  console.log('|---|---:|');
  console.log(`| simclr-ts (TypeScript + libtorch) | ${a.toFixed(1)} |`);
  console.log(`| PyTorch from Python | ${b.toFixed(1)} |`);
  console.log(`ratio_vs_pytorch: ${(a / b).toFixed(3)}`);
}

await main();
