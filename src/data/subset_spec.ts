// Label-subset specs ('1%', '60-per-class', 'file:PATH'): parsed and described without files or libtorch, so
// configuration checks stay cheap; subset.ts draws and reads the subsets they name.

export type SubsetSpec =
  | { kind: 'fraction'; fraction: number }
  | { kind: 'perClass'; count: number }
  | { kind: 'file'; path: string };

/** Parses '1%', '10%', '0.5%', '60-per-class' or 'file:PATH'. */
export function parseSubsetSpec(text: string): SubsetSpec {
  const s = text.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (pct) {
    const fraction = Number(pct[1]) / 100;
    if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`label subset '${text}': the percentage must be in (0, 100]`);
    return { kind: 'fraction', fraction };
  }
  const per = /^(\d+)-per-class$/.exec(s);
  if (per) {
    const count = Number(per[1]);
    if (count < 1) throw new RangeError(`label subset '${text}': need at least 1 per class`);
    return { kind: 'perClass', count };
  }
  if (s.startsWith('file:') && s.length > 5) return { kind: 'file', path: s.slice(5) };
  throw new TypeError(`label subset '${text}': expected 'P%' (e.g. 1%, 10%), 'N-per-class' (e.g. 60-per-class) or 'file:PATH'`);
}

/** Human-readable name of a spec, for file headers and logs. */
export function describeSubsetSpec(spec: SubsetSpec): string {
  if (spec.kind === 'fraction') return `${+(spec.fraction * 100).toFixed(6)}%`;
  if (spec.kind === 'perClass') return `${spec.count}-per-class`;
  return `file:${spec.path}`;
}
