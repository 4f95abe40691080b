// Benchmark: forward+backward images/s of the ResNet encoders here vs torchvision in PyTorch (bench/models_pytorch.py),
// same thread count, alternating runs, medians, NCHW and channels-last. Run: node --import tsx bench/models.ts
// [--rounds 3] [--steps 3] [--warmup 2] [--cases 0,1,2] [--threads N (default: all cores, both sides)]
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ResNet, parseModelDescription } from '../src/models/index.js';
import { type MemoryFormat, dispose, getNumThreads, randn, setNumThreads, tuneMalloc, tidy } from '../src/tensor/index.js';

interface Case { name: string; depth: 18 | 50; width: number; side: number; batch: number }
/** Wall-clock throughput, and per second of the process's CPU time (steadier on a shared machine). */
interface Measure { images_per_s: number; images_per_cpu_s: number; seconds: number }

const CASES: Case[] = [
  { name: 'ResNet-18 CIFAR stem 1x', depth: 18, width: 1, side: 32, batch: 64 },
  { name: 'ResNet-18 CIFAR stem 0.5x', depth: 18, width: 0.5, side: 32, batch: 64 },
  { name: 'ResNet-50 224', depth: 50, width: 1, side: 224, batch: 8 },
];
const FORMATS: MemoryFormat[] = ['contiguous', 'channelsLast'];

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A persistent Python process answering one JSON line per request. */
function startPython(threads: number) {
  const script = fileURLToPath(new URL('./models_pytorch.py', import.meta.url));
  const child = spawn('/usr/bin/python3', [script, '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('bench/models_pytorch.py exited early');
    return JSON.parse(value as string);
  };
  return {
    ready: next,
    run: async (req: object): Promise<Measure> => {
      child.stdin.write(`${JSON.stringify(req)}\n`);
      return next();
    },
    close: () => child.stdin.end(),
  };
}

function runTs(model: ResNet, c: Case, format: MemoryFormat, steps: number, warmup: number): Measure {
  model.memoryFormat = format;
  const x = randn([c.batch, 3, c.side, c.side]); // (B, 3, S, S)
  const step = () => {
    tidy(() => model.forward(x).sum().backward());
    model.zeroGrad();
  };
  for (let i = 0; i < warmup; i++) step();
  const [start, cpu] = [performance.now(), process.cpuUsage()];
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  dispose(x);
  const images = steps * c.batch;
  return { images_per_s: images / seconds, images_per_cpu_s: images / ((used.user + used.system) / 1e6), seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// glibc returns large freed blocks to the OS, so a process can fall into page-faulting every activation on every step
// (measured: PyTorch at 60 or 160 images/s for the same request, from one process to the next). Both sides run with
// freed memory kept in the heap, which removed that slow mode and is the best case for each.
const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(2 ** 31), MALLOC_TRIM_THRESHOLD_: String(2 ** 31) };

/** Re-runs this script with MALLOC_ENV (glibc reads it at start-up only); returns false if already set. */
function reexecWithMallocEnv(): boolean {
  if (Object.entries(MALLOC_ENV).every(([k, v]) => process.env[k] === v)) return false;
  const result = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...MALLOC_ENV } });
  process.exitCode = result.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  if (reexecWithMallocEnv()) return;
  const threads = flag('threads', availableParallelism());
  const rounds = flag('rounds', 3);
  const steps = flag('steps', 3);
  const warmup = flag('warmup', 2);
  tuneMalloc(); // the heap settings the CLI runs with
  setNumThreads(threads);
  const py = startPython(threads);
  const info = await py.ready();
  console.log(`threads: node ${getNumThreads()}, python ${info.threads} (torch ${info.torch}); ${rounds} alternating rounds x ${steps} steps, ` +
    `${warmup} warm-up; both with ${Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const table: string[][] = [];
  const only = process.argv.indexOf('--cases'); // e.g. --cases 0,1 runs the two ResNet-18 cases
  const cases = only >= 0 ? process.argv[only + 1].split(',').map((i) => CASES[Number(i)]) : CASES;
  for (const c of cases) {
    // zeroInitResidual off, as torchvision's default, so both sides run the same numbers.
    const description = parseModelDescription({ depth: c.depth, widthMultiplier: c.width, imageSize: c.side, zeroInitResidual: false });
    const model = ResNet.fromDescription(description).train();
    const results = new Map<string, number[]>();
    const record = (key: string, m: Measure) => {
      results.set(key, [...(results.get(key) ?? []), m.images_per_s]);
      results.set(`${key} cpu`, [...(results.get(`${key} cpu`) ?? []), m.images_per_cpu_s]);
    };
    for (let r = 0; r < rounds; r++) {
      for (const format of r % 2 ? [...FORMATS].reverse() : FORMATS) {
        const req = { depth: c.depth, width: c.width, side: c.side, batch: c.batch, steps, warmup, channels_last: format === 'channelsLast' };
        const pyFirst = r % 2 === 1;
        if (pyFirst) record(`py ${format}`, await py.run(req));
        record(`ts ${format}`, runTs(model, c, format, steps, warmup));
        if (!pyFirst) record(`py ${format}`, await py.run(req));
      }
    }
    model.dispose();
    const m = (k: string) => median(results.get(k)!);
    const spread = (k: string) => `${Math.min(...results.get(k)!).toFixed(1)}-${Math.max(...results.get(k)!).toFixed(1)}`;
    for (const format of FORMATS) {
      const [ts, torch, tsCpu, torchCpu] = [m(`ts ${format}`), m(`py ${format}`), m(`ts ${format} cpu`), m(`py ${format} cpu`)];
      table.push([c.name, String(c.batch), format, ts.toFixed(1), spread(`ts ${format}`), torch.toFixed(1), spread(`py ${format}`),
        (ts / torch).toFixed(2), tsCpu.toFixed(1), torchCpu.toFixed(1), (tsCpu / torchCpu).toFixed(2)]);
    }
    console.log(`${c.name}: done`);
  }
  py.close();
  printTable(['model', 'batch', 'layout', 'TS img/s', 'TS range', 'PyTorch img/s', 'PyTorch range', 'ratio',
    'TS img/CPU-s', 'PyTorch img/CPU-s', 'ratio (CPU)'], table);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log([line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
}

await main();
