// Cleanup after a kill: atomic writes go through `.<name>.<pid>.<hex>.tmp` files, and a process killed mid-write
// leaves its temp file behind; the next start of the same run removes those whose writer is gone.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ATOMIC_TEMP_NAME } from '../../tensor/index.js';

/** Removes the atomic-write temp files in `dir` whose writer process no longer exists; returns their paths. */
export function removeOrphanTemps(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = ATOMIC_TEMP_NAME.exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0 only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by another user
  }
}
