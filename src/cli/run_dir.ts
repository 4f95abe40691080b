// No half-made run folder is left behind by a command that fails before its run started (a data error, a bad checkpoint
// path): folders this invocation created on the way to --out are removed again unless a run's config.json is inside.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The folders from `dir` up that do not exist yet, deepest first. */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  return missing;
}

/** Whether a run started under `dir` (RunFolder writes config.json once setup succeeded; a pipeline has one per stage). */
function holdsRun(dir: string): boolean {
  if (!statSync(dir).isDirectory()) return true; // not ours to judge: keep
  return readdirSync(dir, { withFileTypes: true }).some((e) => e.name === 'config.json' || (e.isDirectory() && holdsRun(join(dir, e.name))));
}

/**
 * Runs `fn`; when it throws, removes the folders toward `dir` that did not exist before it ran, as long as no run
 * started in them. Everything inside such a folder came from this invocation (e.g. a labels.txt written before the
 * checkpoint failed to load), so nothing of the user's is lost.
 */
export async function removeUnstartedRunDirOnFailure<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const created = missingFolders(dir);
  try {
    return await fn();
  } catch (err) {
    for (const d of created) {
      if (!existsSync(d)) continue; // never made (e.g. --out under a file)
      if (holdsRun(d)) break; // a run started: keep it (and everything above) for --resume or a post-mortem
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        break; // best effort: the user must see the error that stopped the command, not this one
      }
    }
    throw err;
  }
}
