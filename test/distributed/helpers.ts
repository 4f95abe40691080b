// Helpers for the distributed tests: run a small TypeScript worker script in N processes on loopback (as torchrun
// would: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and collect each one's exit status and output.
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dispose, loadSafetensors, type Tensor } from '../../src/tensor/index.js';
import { freePort } from '../../src/distributed/launch.js';

export interface WorkerResult {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from start to exit. */
  ms: number;
  /** Date.now() at exit. */
  endedAt: number;
}

export const workerScript = (name: string) => fileURLToPath(new URL(`./workers/${name}`, import.meta.url));

export interface SpawnOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Kill every worker still running after this long (the test then fails on its exit status). */
  timeoutMs?: number;
  /** Called for each line a worker prints on stdout, with its process (e.g. to kill it mid-run). */
  onLine?: (rank: number, line: string, child: ChildProcess) => void;
}

/** Runs `script` in `nproc` processes joined on a free loopback port; resolves when all have exited. */
export async function runWorkers(script: string, nproc: number, o: SpawnOptions = {}): Promise<WorkerResult[]> {
  const port = await freePort();
  const start = Date.now();
  return Promise.all(Array.from({ length: nproc }, (_, rank) => new Promise<WorkerResult>((resolve) => {
    const env = { ...process.env, ...o.env, RANK: String(rank), WORLD_SIZE: String(nproc), LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...(o.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) o.onLine?.(rank, line, child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ rank, code, signal, stdout, stderr, ms: Date.now() - start, endedAt: Date.now() });
    });
  })));
}

/** The last stdout line of a worker parsed as JSON (workers print their result there). */
export function resultOf<T>(w: WorkerResult): T {
  const lines = w.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(`rank ${w.rank} exited ${w.code ?? w.signal} without a JSON result\nstdout:\n${w.stdout}\nstderr:\n${w.stderr}`);
  }
}

/** Throws with the workers' output unless every one exited 0. */
export function assertAllSucceeded(results: WorkerResult[]): void {
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length) {
    throw new Error(failed.map((r) => `rank ${r.rank} exited ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).join('\n'));
  }
}

/**
 * Asserts the weights a worker saved (safetensors at `path`) equal `reference` by name, each element within `tolerance`
 * relative to 1 + |reference|; disposes the reference tensors.
 */
export function assertSavedWeightsClose(path: string, reference: Map<string, Tensor>, tolerance: number): void {
  const { tensors } = loadSafetensors(path);
  try {
    assert.deepEqual([...tensors.keys()].sort(), [...reference.keys()].sort());
    let worst = { name: '', diff: 0 };
    for (const [name, ref] of reference) {
      const got = tensors.get(name)!.toFlatArray();
      const want = ref.toFlatArray();
      for (let i = 0; i < want.length; i++) {
        const diff = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
        if (diff > worst.diff) worst = { name: `${name}[${i}] ${got[i]} vs ${want[i]}`, diff };
      }
    }
    assert.ok(worst.diff < tolerance, `largest weight difference ${worst.diff} at ${worst.name}`);
  } finally {
    dispose([...tensors.values(), ...reference.values()]);
  }
}
