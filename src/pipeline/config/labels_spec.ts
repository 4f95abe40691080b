// The `labels` setting of the supervised stages: '1%', '10%', 'N-per-class', 'file:PATH' or a bare PATH, parsed
// without files or libtorch (configs validate it); labels.ts resolves it to a subset of a dataset.
import { parseSubsetSpec, type SubsetSpec } from '../../data/subset_spec.js';

/** '1%', '10%', 'N-per-class', 'file:PATH' or a bare PATH (anything that is neither a percentage nor N-per-class). */
export function parseLabelsSpec(text: string): SubsetSpec {
  const s = text.trim();
  // Percentages, counts and bare numbers go through the strict parser (so '10' or '0%' get its message).
  if (s.startsWith('file:') || /(%|per-class)$|^[\d.]+$/.test(s)) return parseSubsetSpec(s);
  return { kind: 'file', path: s };
}
