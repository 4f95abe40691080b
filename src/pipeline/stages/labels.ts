// The labelled subset of a supervised stage: drawn (class-balanced, seeded) or read from a file, always written to the
// run folder as labels.txt so runs on "the same 1%" provably share it (its sha256 goes into summary.json).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Dataset } from '../../data/dataset.js';
import { describeSubsetSpec, readSubsetFile, resolveSubset, writeSubsetFile } from '../../data/subset.js';
import { parseLabelsSpec } from '../config/labels_spec.js';
import type { RunFolder } from '../run/run_folder.js';

export const LABELS_FILE = 'labels.txt';

export { parseLabelsSpec } from '../config/labels_spec.js';

export interface LabelledSubset {
  /** Sorted dataset indices of the labelled images. */
  indices: Int32Array;
  /** labels.txt in the run folder. */
  file: string;
  /** sha256 of the sorted indices, one per line: equal for equal subsets whatever the file's comments say. */
  sha256: string;
}

/**
 * The labelled subset for `spec`: read back from the run folder's labels.txt when the run already started (config.json
 * saved: a resume), else drawn with `seed` or read from the named file, and written to labels.txt.
 */
export async function labelledSubset(spec: string, train: Dataset, o: { seed: number; folder: RunFolder }): Promise<LabelledSubset> {
  const file = o.folder.path(LABELS_FILE);
  // A read-only folder (data-parallel rank > 0) draws the same subset as rank 0 without writing: spec, seed and data
  // are equal on every process (a resume is checked against config.json), so no process waits for rank 0's file.
  if (o.folder.readOnly) return withHash(await resolveSubset(parseLabelsSpec(spec), train, { seed: o.seed }), file);
  if (!(o.folder.exists('config.json') && o.folder.exists(LABELS_FILE))) {
    const parsed = parseLabelsSpec(spec);
    if (parsed.kind === 'file') {
      const indices = await readSubsetFile(parsed.path, train);
      await writeSubsetFile(file, indices, [`${describeSubsetSpec(parsed)} (${indices.length} images of ${train.name})`]);
    } else {
      await resolveSubset(parsed, train, { seed: o.seed, writeTo: file });
    }
  }
  return withHash(await readSubsetFile(file, train), file);
}

function withHash(indices: Int32Array, file: string): LabelledSubset {
  const canonical = `${Array.from(indices).sort((a, b) => a - b).join('\n')}\n`;
  return { indices, file, sha256: createHash('sha256').update(canonical).digest('hex') };
}
