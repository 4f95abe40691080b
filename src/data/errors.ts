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

/** How many bad files a message lists before it says "and N more". */
export const MAX_LISTED_BAD_FILES = 20;

/** One line per bad file (the first MAX_LISTED_BAD_FILES), then "and N more". */
export function listBadFiles(bad: readonly BadFile[]): string {
  const lines = bad.slice(0, MAX_LISTED_BAD_FILES).map((b) => `  ${b.file}: ${b.reason}`);
  if (bad.length > MAX_LISTED_BAD_FILES) lines.push(`  and ${bad.length - MAX_LISTED_BAD_FILES} more`);
  return lines.join('\n');
}

/**
 * Every bad file of a folder in one error, so a user fixes them all at once rather than one run per file. A single
 * bad file is named as the error's file; several are listed under `where`.
 */
export function badFilesError(where: string, bad: readonly BadFile[]): DataError {
  if (bad.length === 1) return new DataError(bad[0].file, `${bad[0].reason} (fix or remove it, or pass --skip-bad to leave it out)`);
  return new DataError(where, `${bad.length} unreadable images or empty class folders (fix or remove them, or pass --skip-bad to leave them out):\n${listBadFiles(bad)}`);
}

/** Emits one warning summarising the skipped files (count and the first MAX_LISTED_BAD_FILES names). */
export function warnSkipped(where: string, bad: readonly BadFile[], total: number, options: BadInputOptions): void {
  if (bad.length === 0) return;
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  warn(`warning: skipped ${bad.length} bad file(s) of ${total} in ${where}:\n${listBadFiles(bad)}`);
}

/** Writes the skipped files as a tab-separated list (file, reason), e.g. into the run folder. */
export async function writeBadFileList(path: string, bad: readonly BadFile[]): Promise<void> {
  const lines = ['# files skipped as unreadable or corrupt: path<TAB>reason', ...bad.map((b) => `${b.file}\t${b.reason}`)];
  await writeFile(path, `${lines.join('\n')}\n`);
}
