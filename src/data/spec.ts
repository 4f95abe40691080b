// `--data` strings: 'fashion-mnist[:DIR]', 'mnist:DIR', 'cifar10:DIR', 'cifar100:DIR', 'folder:DIR',
// 'unlabeled:DIR', 'idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]' -> train and test datasets.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cifar10, cifar100 } from './cifar.js';
import type { Dataset } from './dataset.js';
import type { BadInputOptions } from './errors.js';
import { imageFolder, type ImageFolderOptions } from './folder.js';
import { fashionMnist, idxDataset, mnist } from './idx.js';

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

export interface LoadDataOptions extends BadInputOptions {
  /** Working size of image folders (default 224). */
  size?: number;
  /** Channels of image folders (default 3). */
  channels?: 1 | 3;
  fit?: ImageFolderOptions['fit'];
  cacheDir?: string;
  labelType?: 'fine' | 'coarse';
}

export interface DataSplits {
  train: Dataset;
  /** Held-out split, when the source has one. */
  test: Dataset | null;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Folder layout: DIR/train (+ DIR/test or DIR/val) when present, else DIR itself as the training set. */
async function loadFolder(root: string, labeled: boolean, o: LoadDataOptions): Promise<DataSplits> {
  const folder = (dir: string) => imageFolder({ ...o, root: dir, size: o.size ?? 224, labeled });
  if (!isDir(join(root, 'train'))) return { train: await folder(root), test: null };
  const testDir = ['test', 'val'].map((d) => join(root, d)).find(isDir);
  return { train: await folder(join(root, 'train')), test: testDir ? await folder(testDir) : null };
}

/** Loads the train and test datasets a data string names. */
export async function loadDataSpec(spec: string | DataSpec, o: LoadDataOptions = {}): Promise<DataSplits> {
  const s = typeof spec === 'string' ? parseDataSpec(spec) : spec;
  switch (s.kind) {
    case 'fashion-mnist':
      return { train: await fashionMnist({ root: s.root, split: 'train' }), test: await fashionMnist({ root: s.root, split: 'test' }) };
    case 'mnist':
      return { train: await mnist({ root: s.root, split: 'train' }), test: await mnist({ root: s.root, split: 'test' }) };
    case 'cifar10':
      return { train: await cifar10({ root: s.root, split: 'train' }), test: await cifar10({ root: s.root, split: 'test' }) };
    case 'cifar100':
      return { train: await cifar100({ root: s.root, split: 'train', labelType: o.labelType }), test: await cifar100({ root: s.root, split: 'test', labelType: o.labelType }) };
    case 'folder':
      return loadFolder(s.root, true, o);
    case 'unlabeled':
      return loadFolder(s.root, false, o);
    case 'idx': {
      const train = await idxDataset({ images: s.train[0], labels: s.train[1], name: `idx/train` });
      const test = s.test ? await idxDataset({ images: s.test[0], labels: s.test[1], name: `idx/test`, numClasses: train.numClasses }) : null;
      return { train, test };
    }
  }
}
