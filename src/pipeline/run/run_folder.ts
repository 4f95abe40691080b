// A run folder (DESIGN.md section 6): config.json, metrics.jsonl, checkpoints, summary.json.
// Every file is written atomically (temp file + rename) or appended line by line, so a crash loses nothing
// already written.
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomicSync } from '../../tensor/index.js';
import { removeOrphanTemps } from './orphan_temps.js';

/** Writes text to path via a temp file in the same folder, fsync and rename. */
export function writeTextAtomic(path: string, text: string): void {
  writeFileAtomicSync(path, Buffer.from(text, 'utf8'));
}

/** Names the user's path when a run folder cannot be made there (instead of mkdir's bare EEXIST / ENOTDIR). */
function checkFolderPath(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`run folder ${dir} is an existing file, not a folder: choose another --out`);
  let ancestor = dirname(dir);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  if (existsSync(ancestor) && !statSync(ancestor).isDirectory()) throw new Error(`run folder ${dir} cannot be made: ${ancestor} is a file, not a folder`);
}

export type MetricsRecord = Record<string, number | string | boolean | null>;

export class RunFolder {
  readonly metricsPath: string;

  private constructor(readonly dir: string, readonly readOnly = false) {
    this.metricsPath = join(dir, 'metrics.jsonl');
  }

  /**
   * Opens `dir` for a run. A folder that already holds a run is refused unless resuming, so results
   * are never overwritten by accident. `readOnly` (data-parallel ranks other than 0): reads only; writeJson,
   * logMetrics and truncateMetricsAfter do nothing, and nothing is created.
   */
  static open(dir: string, options: { resume?: boolean; readOnly?: boolean } = {}): RunFolder {
    if (options.readOnly) return new RunFolder(dir, true);
    const folder = new RunFolder(dir);
    const hasRun = existsSync(join(dir, 'config.json'));
    if (hasRun && !options.resume) {
      throw new Error(`run folder ${dir} already holds a run (config.json exists): pass --resume to continue it or choose another --out`);
    }
    checkFolderPath(dir);
    mkdirSync(dir, { recursive: true });
    for (const sub of [dir, join(dir, 'checkpoints')]) removeOrphanTemps(sub); // left by a run killed mid-write
    return folder;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  writeJson(name: string, value: unknown): void {
    if (this.readOnly) return;
    writeTextAtomic(this.path(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  readJson<T>(name: string): T {
    const path = this.path(name);
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as T;
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as Error).message}`);
    }
  }

  exists(name: string): boolean {
    return existsSync(this.path(name));
  }

  /** Appends one JSON line to metrics.jsonl. */
  logMetrics(record: MetricsRecord): void {
    if (this.readOnly) return;
    appendFileSync(this.metricsPath, `${JSON.stringify(record)}\n`);
  }

  /** Every record in metrics.jsonl (a torn last line from a crash is skipped). */
  readMetrics(): MetricsRecord[] {
    if (!existsSync(this.metricsPath)) return [];
    return readFileSync(this.metricsPath, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
      try {
        return [JSON.parse(line) as MetricsRecord];
      } catch {
        return [];
      }
    });
  }

  /**
   * On resume: every setting of `config` except the `resumable` ones must equal the saved config.json, so a resumed run
   * continues the same experiment. Nothing to check when not resuming or nothing was saved yet.
   */
  checkResumeConfig(config: object, resume: boolean, resumable: Iterable<string>): void {
    if (!resume || !this.exists('config.json')) return;
    const saved = this.readJson<Record<string, unknown>>('config.json');
    const allowed = new Set(resumable);
    for (const [key, value] of Object.entries(config)) {
      if (allowed.has(key)) continue;
      if (JSON.stringify(saved[key]) !== JSON.stringify(value)) {
        throw new Error(`--resume: '${key}' is ${JSON.stringify(value)} but the run in ${this.dir} used ${JSON.stringify(saved[key])}; resume with the same settings`);
      }
    }
  }

  /** On resume: drops metric lines past the checkpoint's step, so the log has no duplicates. */
  truncateMetricsAfter(step: number): void {
    if (this.readOnly) return;
    const kept = this.readMetrics().filter((r) => typeof r.step !== 'number' || r.step <= step);
    writeTextAtomic(this.metricsPath, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
}
