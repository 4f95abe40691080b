// Data errors that name the file at fault, and the skip-bad bookkeeping (count + list for the run folder).
// DESIGN.md section 5: bad input gives one clear message naming the file; `skipBad` turns it into a warning.
import { writeFile } from 'node:fs/promises';

/** An input-data problem; `file` is the file or folder at fault. */
export class DataError extends Error {
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DataError';
    this.file = file;
  }
}

/** One file left out under `skipBad`, with the reason. */
export interface BadFile {
  file: string;
  reason: string;
}

/** Options shared by loaders that read many files. */
export interface BadInputOptions {
  /** Skip unreadable or corrupt files (with a warning) instead of failing on the first. */
  skipBad?: boolean;
  /** Where warnings go; defaults to console.warn. */
  onWarning?: (message: string) => void;
}

/** The first line of a (possibly multi-line, libvips-style) error message. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim() || 'unknown error';
}

/** Emits one warning summarising the skipped files (count and the first few names). */
export function warnSkipped(where: string, bad: readonly BadFile[], total: number, options: BadInputOptions): void {
  if (bad.length === 0) return;
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  const shown = bad.slice(0, 3).map((b) => `${b.file} (${b.reason})`).join('; ');
  const more = bad.length > 3 ? `; and ${bad.length - 3} more` : '';
  warn(`warning: skipped ${bad.length} bad file(s) of ${total} in ${where}: ${shown}${more}`);
}

/** Writes the skipped files as a tab-separated list (file, reason), e.g. into the run folder. */
export async function writeBadFileList(path: string, bad: readonly BadFile[]): Promise<void> {
  const lines = ['# files skipped as unreadable or corrupt: path<TAB>reason', ...bad.map((b) => `${b.file}\t${b.reason}`)];
  await writeFile(path, `${lines.join('\n')}\n`);
}
