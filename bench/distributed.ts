// Data-parallel throughput on this machine: the fashion-mnist-cpu preset's pretraining step (ResNet-18 x0.25, 28x28,
// global batch 256, the preset's optimiser, synchronised BN, gathered negatives) as 1 process x 2 threads and 2 processes x 1 thread,
// with the share of each step spent in c10d collectives. Usage: node --import tsx bench/distributed.ts [--steps 30]
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DataParallel } from '../src/distributed/data_parallel.js';
import { freePort } from '../src/distributed/launch.js';
import { initWorld } from '../src/distributed/world_c10d.js';
import { resolvePretrainConfig } from '../src/pipeline/config/pretrain_config.js';
import { setupPretrain } from '../src/pipeline/stages/pretrain_setup.js';
import { pretrainStep, type StepContext } from '../src/pipeline/stages/pretrain_step.js';
import { dispose, tuneMalloc } from '../src/tensor/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg('steps', 30);
const WARMUP = arg('warmup', 3);

interface WorkerResult { rank: number; size: number; threads: number; stepMs: number; dataMs: number; commMs: number; collectivesPerStep: number; globalBatch: number }

/** One worker: WARMUP untimed steps, then STEPS timed; prints its averages as JSON. */
async function worker(): Promise<void> {
  const threads = Number(process.env.BENCH_THREADS);
  tuneMalloc(); // the heap settings the CLI runs with
  const world = initWorld();
  const config = resolvePretrainConfig({ preset: 'fashion-mnist-cpu', overrides: { threads, steps: STEPS + WARMUP } });
  const setup = await setupPretrain(config, { shard: world.size > 1 ? { rank: world.rank, size: world.size } : undefined });
  const parallel = world.size > 1 ? new DataParallel(world, setup.model) : null;
  const ctx: StepContext = { model: setup.model, optimizer: setup.optimizer, temperature: config.temperature, hiddenNorm: true, world, memory: null, parallel };
  let stepMs = 0;
  let dataMs = 0;
  let comm = { collectives: 0, waitMs: 0 };
  for (let step = 0; step < STEPS + WARMUP; step++) {
    if (step === WARMUP) {
      world.barrier();
      comm = world.group?.stats() ?? comm;
    }
    const batch = setup.loader.next();
    const t0 = performance.now();
    const scalars = pretrainStep(ctx, batch.views!, batch.labels, setup.schedule(step));
    if (step >= WARMUP) {
      stepMs += performance.now() - t0;
      dataMs += batch.waitMs;
    }
    dispose([batch.views, batch.labels, scalars]);
  }
  const end = world.group?.stats() ?? comm;
  const result: WorkerResult = {
    rank: world.rank, size: world.size, threads, stepMs: stepMs / STEPS, dataMs: dataMs / STEPS, commMs: (end.waitMs - comm.waitMs) / STEPS,
    collectivesPerStep: (end.collectives - comm.collectives) / STEPS, globalBatch: config.batchSize,
  };
  world.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs `nproc` workers of this script with `threads` threads each and returns their results. */
async function run(nproc: number, threads: number): Promise<WorkerResult[]> {
  const port = await freePort();
  const script = fileURLToPath(import.meta.url);
  return Promise.all(Array.from({ length: nproc }, (_, rank) => new Promise<WorkerResult>((resolve, reject) => {
    const env = { ...process.env, BENCH_THREADS: String(threads), OMP_NUM_THREADS: String(threads), RANK: String(rank), WORLD_SIZE: String(nproc), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
    const child = spawn(process.execPath, ['--single-threaded-gc', '--import', 'tsx', script, ...process.argv.slice(2)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`rank ${rank} exited ${code}: ${out}`))));
  })));
}

function report(label: string, results: WorkerResult[]): number {
  const stepMs = Math.max(...results.map((r) => r.stepMs)); // the step ends when the slowest rank does
  const imagesPerS = (results[0].globalBatch / stepMs) * 1000;
  const comm = results.map((r) => `${((100 * r.commMs) / r.stepMs).toFixed(1)}%`).join(' / ');
  console.log(`${label.padEnd(26)} ${imagesPerS.toFixed(1).padStart(8)} img/s   step ${stepMs.toFixed(0).padStart(5)} ms   ` +
    `collectives ${results[0].collectivesPerStep.toFixed(0)}/step, waiting in them ${comm} of the step (per rank)   data ${results[0].dataMs.toFixed(0)} ms/step (not in the step)`);
  return imagesPerS;
}

if (process.env.RANK !== undefined) {
  await worker();
} else {
  const { optimizer } = resolvePretrainConfig({ preset: 'fashion-mnist-cpu' });
  console.log(`fashion-mnist-cpu preset (ResNet-18 x0.25, 28x28, global batch 256, ${optimizer}), ${STEPS} timed steps after ${WARMUP} warm-up; model step only`);
  const one = report('1 process x 2 threads', await run(1, 2));
  const two = report('2 processes x 1 thread', await run(2, 1));
  console.log(`ratio (2 processes / 1 process): ${(two / one).toFixed(2)}`);
}
