// `--data` strings: 'fashion-mnist[:DIR]', 'mnist:DIR', 'cifar10:DIR', 'cifar100:DIR', 'folder:DIR',
// 'unlabeled:DIR', 'idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]' -> train and test datasets.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cifar10, cifar100 } from './cifar.js';
import type { Dataset } from './dataset.js';
import type { BadInputOptions } from './errors.js';
import { imageFolder, type ImageFolderOptions } from './folder.js';
import { fashionMnist, idxDataset, mnist } from './idx.js';
import { parseDataSpec, type DataSpec } from './spec_parse.js';

export { parseDataSpec, type DataSpec } from './spec_parse.js';

export interface LoadDataOptions extends BadInputOptions {
  /** Working size of image folders (default 224). */
  size?: number;
  /** Channels of image folders (default 3). */
  channels?: 1 | 3;
  fit?: ImageFolderOptions['fit'];
  cacheDir?: string;
  labelType?: 'fine' | 'coarse';
  /** Stops decoding image folders between images once aborted (a stop request). */
  signal?: AbortSignal;
}

export interface DataSplits {
  train: Dataset;
  /** Held-out split, when the source has one. */
  test: Dataset | null;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/**
 * Folder layout: DIR/train (+ DIR/test or DIR/val) when present, else DIR itself as the training set. The held-out
 * split is labelled by the training split's class names (a test folder may lack a training class; a test class the
 * training split lacks is refused), so label k means the same class in both.
 */
async function loadFolder(root: string, labeled: boolean, o: LoadDataOptions): Promise<DataSplits> {
  const folder = (dir: string, classes?: ImageFolderOptions['classes']) => imageFolder({ ...o, root: dir, size: o.size ?? 224, labeled, classes });
  const trainDir = join(root, 'train');
  if (!isDir(trainDir)) return { train: await folder(root), test: null };
  const testDir = ['test', 'val'].map((d) => join(root, d)).find(isDir);
  const train = await folder(trainDir);
  const test = testDir ? await folder(testDir, labeled ? { names: train.classNames, from: trainDir } : undefined) : null;
  return { train, test };
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
