// A `simclr` child process the reliability tests can steer: wait for a line of its output or a file event, send it a
// signal (SIGINT, SIGTERM, SIGKILL) and time its exit; plus a seeded random source for reproducible kill moments.
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Exit {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the exit was seen. */
  at: number;
}

export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  exit: Promise<Exit>;
  /** Resolves when stdout or stderr has a line matching `pattern`; rejects after timeoutMs or if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts `node --import tsx src/cli/main.ts ...args` with one libtorch thread. `detached`: in a process group of its
 * own, as a shell runs a foreground job (a terminal's Ctrl-C goes to the whole group).
 */
export function startCli(args: string[], o: { detached?: boolean } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT, env: { ...process.env, OMP_NUM_THREADS: '1', SIMCLR_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: o.detached,
  });
  const out = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (d: Buffer) => {
      out[stream] += d.toString();
      for (const l of listeners) l();
    });
  }
  const exit = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pattern.test(out.stdout) || pattern.test(out.stderr)) done(resolve);
    };
    const done = (f: () => void) => (clearTimeout(timer), listeners.delete(check), f());
    const timer = setTimeout(() => done(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr:\n${out.stderr}`))), timeoutMs);
    listeners.add(check);
    void exit.then((e) => done(() => reject(new Error(`exited (${e.code ?? e.signal}) before a line matching ${pattern}; stderr:\n${out.stderr}`))));
    check();
  });
  return {
    child, exit, waitFor,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
  };
}

/**
 * Sends `signal` (to the process, or with `group` to its whole process group, as a terminal does) and waits for the
 * exit; `latencyMs` is the time from the signal to the exit.
 */
export async function signalAndWait(p: CliProcess, signal: NodeJS.Signals, o: { group?: boolean } = {}): Promise<Exit & { latencyMs: number }> {
  const sent = performance.now();
  if (o.group) process.kill(-p.child.pid!, signal);
  else p.child.kill(signal);
  const e = await p.exit;
  return { ...e, latencyMs: e.at - sent };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

