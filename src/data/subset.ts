// Label-fraction subsets: class-balanced 1% / 10% / N-per-class draws from a seed, or an explicit list
// (as the paper's ImageNet 1%/10% file lists), stored as a plain text file so runs are repeatable.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Generator, randperm, tidy } from '../tensor/index.js';
import type { Dataset } from './dataset.js';
import { DataError, firstLine } from './errors.js';
import { describeSubsetSpec, parseSubsetSpec, type SubsetSpec } from './subset_spec.js';

export { describeSubsetSpec, parseSubsetSpec, type SubsetSpec } from './subset_spec.js';

/**
 * Class-balanced draw: from each class c with n_c images, round(fraction * n_c) (at least 1) or `count` images,
 * chosen by a libtorch randperm per class from a Generator seeded with `seed`. Returns sorted dataset indices.
 */
export function drawSubset(labels: Int32Array, numClasses: number, spec: SubsetSpec, seed: number): Int32Array {
  if (spec.kind === 'file') throw new TypeError('drawSubset: a file list is read with readSubsetFile, not drawn');
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (const [i, y] of labels.entries()) {
    if (y < 0 || y >= numClasses) throw new RangeError(`drawSubset: label ${y} at index ${i} out of range [0, ${numClasses})`);
    byClass[y].push(i);
  }
  const generator = new Generator(seed);
  const chosen: number[] = [];
  for (const [c, members] of byClass.entries()) {
    const want = spec.kind === 'perClass' ? spec.count : Math.max(1, Math.round(spec.fraction * members.length));
    if (members.length === 0) continue;
    if (want > members.length) throw new RangeError(`drawSubset: class ${c} has ${members.length} images, fewer than the ${want} asked for`);
    const perm = tidy(() => randperm(members.length, { generator }).toFlatArray());
    for (const k of perm.slice(0, want)) chosen.push(members[k]);
  }
  return Int32Array.from(chosen).sort();
}

/** Writes one dataset index per line after a '#' comment header. */
export async function writeSubsetFile(path: string, indices: ArrayLike<number>, header: string[] = []): Promise<void> {
  const lines = ['# simclr label subset: one dataset index per line', ...header.map((h) => `# ${h}`), ...Array.from(indices, String)];
  await writeFile(path, `${lines.join('\n')}\n`);
}

/**
 * Reads a subset file: each non-comment line is a dataset index, or a file name (matched against the dataset's
 * files by relative path suffix or base name, as in the paper's ImageNet lists). An image listed twice is refused. Returns
 * sorted indices.
 */
export async function readSubsetFile(path: string, dataset: Dataset): Promise<Int32Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataError(path, `cannot read label subset file: ${firstLine(err)}`);
  }
  const lookup = dataset.files ? fileLookup(dataset.files) : null;
  const lineOf = new Map<number, number>(); // index -> the line that listed it
  for (const [lineNo, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const index = /^\d+$/.test(line) ? Number(line) : lookup?.get(line) ?? lookup?.get(basename(line));
    if (index === undefined) throw new DataError(path, `line ${lineNo + 1}: '${line}' is neither an index nor a file of ${dataset.name}`);
    if (index >= dataset.length) throw new DataError(path, `line ${lineNo + 1}: index ${index} out of range [0, ${dataset.length})`);
    // A repeated image would silently shrink the subset below what the file seems to list: refuse it.
    const first = lineOf.get(index);
    if (first !== undefined) throw new DataError(path, `line ${lineNo + 1}: duplicate index ${index} (already listed on line ${first}); list each image once`);
    lineOf.set(index, lineNo + 1);
  }
  if (lineOf.size === 0) throw new DataError(path, 'label subset file lists no images');
  return Int32Array.from(lineOf.keys()).sort();
}

function fileLookup(files: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  files.forEach((f, i) => {
    const parts = f.split(/[\\/]/);
    for (let k = 1; k <= parts.length; k++) map.set(parts.slice(-k).join('/'), i); // every path suffix
  });
  return map;
}

export interface ResolveSubsetOptions {
  seed: number;
  /** Where to write a drawn subset (e.g. the run folder); the same file read back gives the same subset. */
  writeTo?: string;
}

/** The subset for a spec: read from its file, or drawn with the seed (and written when writeTo is given). */
export async function resolveSubset(spec: SubsetSpec | string, dataset: Dataset, o: ResolveSubsetOptions): Promise<Int32Array> {
  const s = typeof spec === 'string' ? parseSubsetSpec(spec) : spec;
  if (s.kind === 'file') return readSubsetFile(s.path, dataset);
  if (!dataset.labels) throw new Error(`label subset ${describeSubsetSpec(s)}: dataset ${dataset.name} is unlabeled`);
  const indices = drawSubset(dataset.labels, dataset.numClasses, s, o.seed);
  if (o.writeTo) {
    await writeSubsetFile(o.writeTo, indices, [
      `${describeSubsetSpec(s)}, class-balanced, seed ${o.seed}`,
      `dataset ${dataset.name}: ${dataset.length} images, ${dataset.numClasses} classes; ${indices.length} chosen`,
    ]);
  }
  return indices;
}
