// Derives one command-line flag per configuration key from a zod object schema, so every key of a
// config file can also be given as a flag (learningRate -> --learning-rate <number>, blur -> --blur/--no-blur).
import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { numberArg } from './args.js';

type Kind = { type: 'number' | 'string' | 'boolean' } | { type: 'enum'; values: string[] };

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Follows defaults, optionals and pipes down to the field's value type. */
function kindOf(field: z.ZodType): Kind {
  const def = (field as unknown as { def: Record<string, unknown> & { type: string } }).def;
  switch (def.type) {
    case 'default': case 'optional': case 'nullable': case 'prefault':
      return kindOf(def.innerType as z.ZodType);
    case 'pipe':
      return kindOf(def.in as z.ZodType);
    case 'number': case 'int':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'enum', values: Object.values(def.entries as Record<string, string>) };
    case 'union': {
      const options = def.options as z.ZodType[];
      const literals = options.map((o) => (o as unknown as { def: { type: string; values?: unknown[] } }).def);
      if (literals.every((l) => l.type === 'literal' && typeof l.values?.[0] === 'number')) return { type: 'number' };
      return { type: 'string' };
    }
    default:
      return { type: 'string' };
  }
}

/** Adds a flag for each key of `shape` (skipping `except`) to `command`. */
export function addSchemaFlags(command: Command, shape: Record<string, z.ZodType>, except: string[] = []): Command {
  for (const [key, field] of Object.entries(shape)) {
    if (except.includes(key)) continue;
    const flag = `--${kebab(key)}`;
    const description = field.description ?? '';
    const kind = kindOf(field);
    if (kind.type === 'boolean') {
      command.addOption(new Option(flag, description));
      command.addOption(new Option(`--no-${kebab(key)}`, `turn ${key} off`));
    } else if (kind.type === 'number') {
      command.addOption(new Option(`${flag} <number>`, description).argParser(numberArg(flag)));
    } else if (kind.type === 'enum') {
      command.addOption(new Option(`${flag} <value>`, description).choices(kind.values));
    } else {
      command.addOption(new Option(`${flag} <value>`, description));
    }
  }
  return command;
}

/** The config keys the user actually gave as flags (commander camel-cases --learning-rate to learningRate). */
export function schemaOverrides(options: Record<string, unknown>, shape: Record<string, z.ZodType>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key, value]) => key in shape && value !== undefined));
}
