// The command line that reproduces a stage run: `simclr <stage> --out DIR` plus one flag for every resolved config key
// that differs from its schema default (flags as the CLI derives them from the schema: learningRate -> --learning-rate).
import type { z } from 'zod';

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Quotes a shell word when it holds anything beyond a safe set of characters. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_.,:/%=+@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The schema's default of a key, or undefined when it has none (or needs a value). */
function defaultOf(field: z.ZodType): unknown {
  const parsed = field.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/** `simclr <stage> --out <out> --key value ...` for the keys of `config` that differ from the schema's defaults. */
export function stageCommand(stage: string, shape: Record<string, z.ZodType>, config: object, out: string): string {
  const words = ['simclr', stage, '--out', shellWord(out)];
  for (const [key, value] of Object.entries(config)) {
    const field = shape[key];
    if (value === undefined || !field) continue;
    if (JSON.stringify(defaultOf(field)) === JSON.stringify(value)) continue;
    if (typeof value === 'boolean') words.push(value ? `--${kebab(key)}` : `--no-${kebab(key)}`);
    else if (typeof value === 'number' || typeof value === 'string') words.push(`--${kebab(key)}`, shellWord(String(value)));
    else throw new TypeError(`stageCommand: '${key}' holds ${JSON.stringify(value)}, which no flag can give`);
  }
  return words.join(' ');
}
