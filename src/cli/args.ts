// Argument parsers shared by commands: numbers checked against a zod schema, with the flag named in the error, so a
// value such as `--batch-size 0` or `--n abc` is refused at parse time instead of hanging or failing deep inside.
import { z } from 'zod';

/** What a flag's number must be; the default is any finite number. */
export interface NumberRule {
  int?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive lower bound (e.g. 0 for "positive"). */
  gt?: number;
  /** Exclusive upper bound. */
  lt?: number;
}

function ruleSchema(r: NumberRule): z.ZodNumber {
  let s = r.int ? z.number().int('must be a whole number') : z.number();
  if (r.min !== undefined) s = s.min(r.min, `must be >= ${r.min}`);
  if (r.gt !== undefined) s = s.gt(r.gt, `must be > ${r.gt}`);
  if (r.max !== undefined) s = s.max(r.max, `must be <= ${r.max}`);
  if (r.lt !== undefined) s = s.lt(r.lt, `must be < ${r.lt}`);
  return s;
}

/** A commander argParser: the flag's value as a number obeying `rule`, or an error naming the flag. */
export function numberArg(flag: string, rule: NumberRule = {}) {
  const schema = ruleSchema(rule);
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`${flag} expects a number, got '${raw}'`);
    const result = schema.safeParse(value);
    if (!result.success) throw new Error(`${flag} ${result.error.issues[0].message}, got ${raw}`);
    return value;
  };
}

/** Whole numbers >= 1 (batch sizes, counts, thread numbers). */
export const positiveIntArg = (flag: string, max?: number) => numberArg(flag, { int: true, min: 1, max });

/** Whole numbers >= 0 (limits where 0 means "all", seeds). */
export const nonNegativeIntArg = (flag: string, max?: number) => numberArg(flag, { int: true, min: 0, max });
