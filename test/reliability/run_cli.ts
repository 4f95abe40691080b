// Runs the `simclr` command line as a child process (as a user would) with a hard timeout, and many such runs with
// limited concurrency, so a hanging command fails its test instead of stalling the suite.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  args: string[];
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
  /** Killed for running past its timeout. */
  timedOut: boolean;
}

export interface RunCliOptions {
  /** Milliseconds before the process is killed with SIGKILL (default 30 000). */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** `node --import tsx src/cli/main.ts ...args`, collected whole. Never rejects: failures are in the result. */
export function runCli(args: string[], o: RunCliOptions = {}): Promise<CliResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: o.cwd ?? REPO_ROOT, env: { ...process.env, SIMCLR_DEBUG: '', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ args, code, signal, stdout, stderr, ms: Date.now() - start, timedOut });
    });
  });
}

/** Runs every argument list with at most `limit` processes at once; results keep the input order. */
export async function runCliAll(argLists: string[][], limit: number, o: RunCliOptions = {}): Promise<CliResult[]> {
  const results = new Array<CliResult>(argLists.length);
  let next = 0;
  const worker = async () => {
    while (next < argLists.length) {
      const i = next++;
      results[i] = await runCli(argLists[i], o);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, argLists.length) }, worker));
  return results;
}
