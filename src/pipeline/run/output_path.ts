// Checks on an output file path (format by extension; the folder it goes in), with no libtorch, so a command can refuse a
// bad --out before it loads anything.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** 'npy' or 'jsonl' from a file name (.npy / .jsonl / .json), for writers that pick the format by extension. */
export function outputFormat(path: string): 'npy' | 'jsonl' {
  if (/\.npy$/i.test(path)) return 'npy';
  if (/\.jsonl?$/i.test(path)) return 'jsonl';
  throw new Error(`output ${path}: unknown format; name it .npy (NumPy float32) or .jsonl (JSON lines)`);
}

/**
 * Refuses, naming the user's path, an output file that cannot be written: an existing folder, or a path under a file.
 * No side effect, so callers check before long work; writers check again and create missing folders.
 */
export function checkOutputPath(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`output ${path} is a folder: give a file name`);
  let ancestor = dirname(resolve(path));
  while (!existsSync(ancestor)) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) throw new Error(`cannot write output ${path}: ${ancestor} is a file, not a folder`);
}
