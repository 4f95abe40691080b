// Shared by the browser-demo tests: the Chromium the tests drive (and the skip reason without it), a Fashion-MNIST
// test image, and the demo's static server started on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_MNIST_DEBIAN_DIR, readIdx } from '../../src/data/idx.js';
import { REPO_ROOT } from '../reliability/run_cli.js';

export const CHROMIUM = '/usr/bin/chromium';
export const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (Debian: apt-get install -y chromium): the browser demo is not checked`;
export const TIMEOUT = { timeoutMs: 60_000 };

/** Fashion-MNIST test image `index` (28 x 28 gray) when the Debian package is installed, else a smooth synthetic one. */
export async function fashionImage(index: number): Promise<Uint8Array> {
  const file = join(FASHION_MNIST_DEBIAN_DIR, 't10k-images-idx3-ubyte.gz');
  if (!existsSync(file)) return Uint8Array.from({ length: 784 }, (_, i) => Math.round(127.5 + 127.5 * Math.sin(i / 37) * Math.cos((i % 28) / 5)));
  return (await readIdx(file)).data.slice(index * 784, (index + 1) * 784);
}

/** Starts examples/browser/serve.mjs on a free port; resolves with the process and the page URL it prints. */
export function startServer(model: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['examples/browser/serve.mjs', '--model', model, '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /at (http:\/\/\S+)/.exec(out)?.[1];
      if (url) ok({ child, url });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => fail(new Error(`serve.mjs exited (${code}): ${out}`)));
  });
}

/** Saves a full-page screenshot as `name` in $BROWSER_DEMO_OUT (a folder to keep it in), else in `dir`. */
export async function saveScreenshot(page: { screenshot(o: { path: string; fullPage: boolean }): Promise<unknown> }, dir: string, name: string): Promise<void> {
  const shots = process.env.BROWSER_DEMO_OUT ?? dir;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, name), fullPage: true });
}

/** The kind of page watchProblems listens to (playwright's Page). */
interface WatchedPage {
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): unknown;
  on(event: 'pageerror', fn: (e: Error) => void): unknown;
  on(event: 'requestfailed', fn: (r: { url(): string; failure(): { errorText: string } | null }) => void): unknown;
}

/**
 * Collects what goes wrong on a page (console errors and warnings, uncaught errors and, with `requests`, failed
 * requests) into the returned list, which a test asserts empty at the end.
 */
export function watchProblems(page: WatchedPage, o: { requests?: boolean } = {}): string[] {
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (o.requests) page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  return problems;
}
