// A persistent /usr/bin/python3 process for side-by-side benchmarks: one JSON request per line on stdin,
// one JSON answer per line on stdout, so alternating runs do not pay Python's start-up each time.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface PythonWorker {
  ready(): Promise<Record<string, unknown>>;
  run<T>(request: object): Promise<T>;
  close(): void;
}

export function startPythonWorker(scriptUrl: URL, args: string[]): PythonWorker {
  const child = spawn('/usr/bin/python3', [fileURLToPath(scriptUrl), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
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
