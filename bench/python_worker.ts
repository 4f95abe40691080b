// A persistent Python process (/usr/bin/python3, Debian's torch; SIMCLR_BENCH_PYTHON names another) for side-by-side benchmarks: one JSON request per line on stdin,
// one JSON answer per line on stdout, so alternating runs do not pay Python's start-up each time.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface PythonWorker {
  ready(): Promise<Record<string, unknown>>;
  run<T>(request: object): Promise<T>;
  close(): void;
}

/** glibc settings equal to the addon's native/malloc_tuning.cc, for a like-for-like Python side. */
export const TUNED_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(256 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(1024 * 1024 * 1024), MALLOC_TOP_PAD_: String(256 * 1024 * 1024) };

export function startPythonWorker(scriptUrl: URL, args: string[], env: NodeJS.ProcessEnv = {}): PythonWorker {
  const child = spawn(process.env.SIMCLR_BENCH_PYTHON ?? '/usr/bin/python3', [fileURLToPath(scriptUrl), ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${fileURLToPath(scriptUrl)} exited early`);
    return JSON.parse(value as string);
  };
  return {
    ready: next,
    run: async (request) => {
      child.stdin.write(`${JSON.stringify(request)}\n`);
      return next();
    },
    close: () => child.stdin.end(),
  };
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
