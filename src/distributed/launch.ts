// `simclr launch`: starts N local worker processes like torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT), streams their output with a rank prefix, and stops them all when one fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface LaunchOptions {
  /** Number of worker processes. */
  nproc: number;
  /** Intra-op threads per worker: sets OMP_NUM_THREADS and appends `--threads T` unless args give --threads. */
  threadsPerProc?: number;
  /** Arguments of the command each worker runs, e.g. ['pretrain', '--preset', 'tiny', '--out', 'runs/x']. */
  args: string[];
  /** Rendezvous port on 127.0.0.1 (default: a free port). */
  port?: number;
  /** Script every worker runs with `args` (the CLI passes its own bin; this layer knows nothing of the CLI). */
  script: string;
  /** Extra arguments for node itself (e.g. ['--import', 'tsx']). */
  nodeArgs?: string[];
  /** Base environment of the workers (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** After a worker fails, the others get this long to stop by themselves before SIGTERM, and again before SIGKILL. */
  graceMs?: number;
  /** Where prefixed output lines go (default: process.stdout / process.stderr). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface LaunchResult {
  /** 0 when every worker succeeded; otherwise the first failed worker's code (128 + n for signal n, 1 if unknown). */
  exitCode: number;
  /** Rank of the first worker that failed, or null. */
  failedRank: number | null;
  /** Each worker's exit code (null when it ended by a signal) and signal. */
  workers: Array<{ rank: number; code: number | null; signal: NodeJS.Signals | null }>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15, SIGABRT: 6 };

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function workerArgs(o: LaunchOptions): string[] {
  const givesThreads = o.args.some((a) => a === '--threads' || a.startsWith('--threads='));
  return o.threadsPerProc && !givesThreads ? [...o.args, '--threads', String(o.threadsPerProc)] : [...o.args];
}

function workerEnv(o: LaunchOptions, rank: number, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...(o.env ?? process.env),
    RANK: String(rank), WORLD_SIZE: String(o.nproc), LOCAL_RANK: String(rank), LOCAL_WORLD_SIZE: String(o.nproc),
    MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port),
  };
  if (o.threadsPerProc) env.OMP_NUM_THREADS = String(o.threadsPerProc);
  return env;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal && SIGNAL_NUMBERS[signal] ? 128 + SIGNAL_NUMBERS[signal]! : 1;
}

function pipeLines(child: ChildProcess, rank: number, onLine: NonNullable<LaunchOptions['onLine']>): Promise<void>[] {
  return (['stdout', 'stderr'] as const).map((stream) => new Promise<void>((resolve) => {
    const source = child[stream];
    if (!source) return resolve();
    createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => onLine(`[rank ${rank}] ${line}`, stream)).on('close', resolve);
  }));
}

const writeLine: NonNullable<LaunchOptions['onLine']> = (line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`);

/** Runs the workers to completion; when one fails, stops the rest (SIGTERM, then SIGKILL) and reports it. */
export async function launch(o: LaunchOptions): Promise<LaunchResult> {
  if (!(Number.isInteger(o.nproc) && o.nproc >= 1)) throw new RangeError(`launch: --nproc must be a positive integer, got ${o.nproc}`);
  if (o.threadsPerProc !== undefined && !(Number.isInteger(o.threadsPerProc) && o.threadsPerProc >= 1)) {
    throw new RangeError(`launch: --threads-per-proc must be a positive integer, got ${o.threadsPerProc}`);
  }
  if (!o.script) throw new RangeError('launch: `script` (the program every worker runs) is required');
  const port = o.port ?? (await freePort());
  const onLine = o.onLine ?? writeLine;
  const graceMs = o.graceMs ?? 5000;
  // V8's concurrent GC threads compete with libtorch's intra-op threads (bench:pretrain: about 10% of a step).
  const args = ['--single-threaded-gc', ...(o.nodeArgs ?? []), o.script, ...workerArgs(o)];
  // Own process group: a terminal's Ctrl-C reaches the launcher only, which forwards it once. In the launcher's group
  // each worker would get it twice, and the second SIGINT ends a worker at once, before it checkpoints.
  const children = Array.from({ length: o.nproc }, (_, rank) => spawn(process.execPath, args, { env: workerEnv(o, rank, port), stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  const result: LaunchResult = { exitCode: 0, failedRank: null, workers: children.map((_, rank) => ({ rank, code: null, signal: null })) };
  const timers: NodeJS.Timeout[] = [];
  const stopOthers = () => {
    const alive = () => children.filter((c) => c.exitCode === null && c.signalCode === null);
    timers.push(setTimeout(() => alive().forEach((c) => c.kill('SIGTERM')), graceMs));
    timers.push(setTimeout(() => alive().forEach((c) => c.kill('SIGKILL')), 2 * graceMs));
  };
  const forward = (signal: NodeJS.Signals) => () => children.forEach((c) => c.exitCode === null && c.kill(signal));
  // SIGHUP too: the workers left the terminal's session, so a closed terminal reaches them through the launcher.
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    await Promise.all(children.map((child, rank) => {
      const output = pipeLines(child, rank, onLine);
      const exited = new Promise<void>((resolve) => {
        const failed = (code: number | null, signal: NodeJS.Signals | null, how: string) => {
          result.workers[rank] = { rank, code, signal };
          if (result.failedRank === null) {
            result.failedRank = rank;
            result.exitCode = exitCodeOf(code, signal) || 1;
            onLine(`[launch] rank ${rank} ${how}; stopping the other workers`, 'stderr');
            stopOthers();
          }
        };
        child.on('error', (err) => {
          failed(1, null, `could not start: ${err.message}`);
          resolve();
        });
        child.on('exit', (code, signal) => {
          if (code === 0) result.workers[rank] = { rank, code, signal };
          else failed(code, signal, code !== null ? `exited with code ${code}` : `was killed by ${signal}`);
          resolve();
        });
      });
      return Promise.all([exited, ...output]);
    }));
  } finally {
    timers.forEach(clearTimeout);
    for (const [s, h] of handlers) process.off(s, h);
  }
  return result;
}
