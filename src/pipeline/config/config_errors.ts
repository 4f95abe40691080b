// Turns zod validation issues into one readable message per problem, with "did you mean" for unknown keys.
import type { z } from 'zod';

/** Levenshtein distance, for suggesting the closest known key. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

export function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`invalid configuration (${source}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** One line per zod issue: the key path, what is wrong, and a suggestion for misspelt keys. */
export function describeIssues(error: z.ZodError, knownKeys: string[]): string[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.join('.') || '(root)';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const suggestion = closest(key, knownKeys);
        return `unknown key '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
      });
    }
    return [`${path}: ${issue.message}`];
  });
}
