// Augmentation throughput (images/s, two SimCLR views per image) of the batched libtorch pipeline next to
// torchvision's per-image pipeline (bench/augment_torchvision.py, same thread count), and the loader's data wait.
// Usage: node --import tsx bench/augment.ts [--threads 2] [--batches 5] [--step]   (--step: ResNet-18 step via PyTorch)
// Both sides report their best batch of --batches, so other load on a shared machine disturbs the ratio less.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Generator, getNumThreads, rand, setNumThreads, tuneMalloc, tidy, type Tensor } from '../src/tensor/index.js';
import { DataLoader, FASHION_MNIST_DEBIAN_DIR, fashionMnist, InMemoryDataset, simclrAugment, simclrViews, type AugmentOptions } from '../src/data/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface Config { name: string; batch: number; options: AugmentOptions; images: () => Tensor }

function randomImages(batch: number, side: number): () => Tensor {
  return () => tidy(() => rand([batch, 3, side, side], { generator: new Generator(0) }).mul(255).round().to('uint8'));
}

async function configs(): Promise<Config[]> {
  const out: Config[] = [{ name: '32x32 rgb s=0.5', batch: 256, options: { colorStrength: 0.5 }, images: randomImages(256, 32) }];
  if (existsSync(FASHION_MNIST_DEBIAN_DIR)) {
    const fm = await fashionMnist({ split: 'train' });
    out.push({ name: '28x28 fashion-mnist s=0.5', batch: 256, options: { colorStrength: 0.5 }, images: () => fm.getBatch(Array.from({ length: 256 }, (_, i) => i)) });
  }
  out.push({ name: '224x224 rgb s=1 blur', batch: 32, options: { colorStrength: 1, blur: true }, images: randomImages(32, 224) });
  return out;
}

/** Images per second for two views of `batch` images: best of `batches` timed batches after one warm-up
 * (the best batch is the least disturbed by other processes on a shared machine). */
function measure(c: Config, batches: number): { imagesPerS: number; msPerBatch: number } {
  const x = c.images();
  const g = new Generator(1);
  tidy(() => { simclrViews(x, c.options, g); });
  let best = Infinity;
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    tidy(() => { simclrViews(x, c.options, g); });
    best = Math.min(best, performance.now() - t0);
  }
  x.dispose();
  return { imagesPerS: (1000 * c.batch) / best, msPerBatch: best };
}

function torchvisionResults(threads: number, batches: number, step: boolean): Map<string, Record<string, number>> {
  const results = new Map<string, Record<string, number>>();
  const args = ['bench/augment_torchvision.py', '--threads', String(threads), '--batches', String(batches), ...(step ? ['--step'] : [])];
  const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) {
    console.log(`torchvision reference unavailable: ${(run.stderr || run.error?.message || '').trim().split('\n').pop()}`);
    return results;
  }
  for (const line of run.stdout.trim().split('\n')) {
    const row = JSON.parse(line);
    if (row.name) results.set(row.name, row);
  }
  return results;
}

/** Data wait per batch (mean and best) of the loader at batch 256, two views, 32x32, SimCLR CIFAR transform. */
function loaderWaitMs(batches: number): { mean: number; best: number } {
  const images = new Uint8Array(256 * 8 * 32 * 32 * 3).map((_, i) => (i * 2654435761) >>> 24);
  const ds = new InMemoryDataset({ name: 'random32', images, height: 32, width: 32, channels: 3 });
  const loader = new DataLoader(ds, { batchSize: 256, seed: 0, views: 2, transform: (x, g) => simclrAugment(x, { colorStrength: 0.5 }, g) });
  tidy(() => { loader.next(); });
  const waits = Array.from({ length: batches }, () => tidy(() => loader.next().waitMs));
  return { mean: waits.reduce((a, b) => a + b, 0) / waits.length, best: Math.min(...waits) };
}

async function main(): Promise<void> {
  const threads = Number(arg('threads', '2'));
  const batches = Number(arg('batches', '5'));
  const step = process.argv.includes('--step');
  tuneMalloc(); // the heap settings the CLI runs with
  setNumThreads(threads);
  const malloc = Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_')).map(([k, v]) => `${k}=${v}`).join(' ') || 'glibc defaults';
  console.log(`augmentation throughput, two views per image, ${getNumThreads()} thread(s), malloc: ${malloc}\n`);
  const ours = (await configs()).map((c) => ({ c, r: measure(c, batches) }));
  const tv = torchvisionResults(threads, batches, step);
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad('config', 28)}${pad('batch', 7)}${pad('ours img/s', 13)}${pad('torchvision img/s', 19)}ratio`);
  for (const { c, r } of ours) {
    const ref = tv.get(c.name);
    const ratio = ref ? `${(r.imagesPerS / ref.images_per_s).toFixed(2)}x` : '-';
    console.log(`${pad(c.name, 28)}${pad(String(c.batch), 7)}${pad(r.imagesPerS.toFixed(0), 13)}${pad(ref ? ref.images_per_s.toFixed(0) : '-', 19)}${ratio}`);
  }
  const wait = loaderWaitMs(batches);
  console.log(`\nloader (batch 256, two views, 32x32, uint8 -> augmented float): waits ${wait.mean.toFixed(1)} ms per batch on average, ${wait.best.toFixed(1)} ms at best`);
  const stepRow = tv.get('resnet18 step');
  if (stepRow) {
    const fraction = wait.mean / (wait.mean + stepRow.ms_per_step);
    console.log(`ResNet-18 (CIFAR stem) pretraining step at batch 256 (PyTorch, same threads): ${stepRow.ms_per_step.toFixed(0)} ms; ` +
      `data wait = ${(100 * fraction).toFixed(2)}% of step time`);
  }
}

await main();
