// Parsing `--data` strings ('fashion-mnist[:DIR]', 'folder:DIR', 'idx:IMAGES,LABELS', ...) without touching files or
// libtorch, so configuration checks (and the CLI's error path) stay cheap; spec.ts loads what a string names.

export type DataSpec =
  | { kind: 'fashion-mnist'; root?: string }
  | { kind: 'mnist' | 'cifar10' | 'cifar100' | 'folder' | 'unlabeled'; root: string }
  | { kind: 'idx'; train: [string, string]; test?: [string, string] };

const USAGE = "expected 'fashion-mnist[:DIR]', 'mnist:DIR', 'cifar10:DIR', 'cifar100:DIR', 'folder:DIR', 'unlabeled:DIR' or 'idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]'";

/** Parses a data string (no file access). */
export function parseDataSpec(text: string): DataSpec {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? '' : text.slice(colon + 1);
  if (kind === 'fashion-mnist') return arg ? { kind, root: arg } : { kind };
  if (kind === 'mnist' || kind === 'cifar10' || kind === 'cifar100' || kind === 'folder' || kind === 'unlabeled') {
    if (!arg) throw new TypeError(`data '${text}': ${kind} needs a folder, as '${kind}:DIR'`);
    return { kind, root: arg };
  }
  if (kind === 'idx') {
    const files = arg.split(',');
    if ((files.length !== 2 && files.length !== 4) || files.some((f) => f === '')) throw new TypeError(`data '${text}': idx needs IMAGES,LABELS or IMAGES,LABELS,TEST_IMAGES,TEST_LABELS`);
    return { kind, train: [files[0], files[1]], test: files.length === 4 ? [files[2], files[3]] : undefined };
  }
  throw new TypeError(`data '${text}': unknown kind '${kind}'; ${USAGE}`);
}
