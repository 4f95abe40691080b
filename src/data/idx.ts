// IDX files (MNIST, Fashion-MNIST; raw or gzip) and the `fashion-mnist` dataset from Debian's dataset-fashion-mnist.
// Format: yann.lecun.com/exdb/mnist (magic 0x0000 | type 0x08 | ndim, big-endian uint32 sizes, then bytes).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InMemoryDataset } from './dataset.js';
import { DataError, firstLine } from './errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Reads an IDX file of unsigned bytes (gzip-compressed or not). */
export async function readIdx(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new DataError(file, `cannot read IDX file: ${firstLine(err)}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new DataError(file, `corrupt gzip data: ${firstLine(err)}`);
    }
  }
  return parseIdx(bytes, file);
}

/** Parses IDX bytes; `file` names the source in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DataError(file, `not an IDX file: only ${bytes.length} bytes`);
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new DataError(file, `wrong IDX magic number 0x${magic} (expected 0x000008NN)`);
  if (bytes[2] !== 0x08) throw new DataError(file, `IDX data type 0x${bytes[2].toString(16)} not supported (only 0x08, unsigned byte)`);
  const ndim = bytes[3];
  if (ndim < 1 || bytes.length < 4 + 4 * ndim) throw new DataError(file, `wrong IDX header: ${ndim} dimensions in ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const offset = 4 + 4 * ndim;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - offset !== expected) {
    const what = bytes.length - offset < expected ? 'truncated' : 'has trailing bytes';
    throw new DataError(file, `IDX file ${what}: dims [${dims}] need ${expected} bytes of data, found ${bytes.length - offset}`);
  }
  return { dims, data: bytes.subarray(offset) };
}

export interface IdxDatasetOptions {
  images: string;
  labels?: string | null;
  name?: string;
  classNames?: readonly string[];
  /** Labels must be below this; defaults to classNames.length, or max label + 1 without names. */
  numClasses?: number;
}

/** A dataset from an IDX image file (N, H, W) and optionally an IDX label file (N,). */
export async function idxDataset(o: IdxDatasetOptions): Promise<InMemoryDataset> {
  const img = await readIdx(o.images);
  if (img.dims.length !== 3 && img.dims.length !== 4) throw new DataError(o.images, `IDX images must have 3 (N, H, W) or 4 (N, H, W, C) dimensions, got [${img.dims}]`);
  const [n, height, width, channels = 1] = img.dims;
  let labels: Int32Array | null = null;
  let classNames = o.classNames ?? [];
  if (o.labels) {
    const lab = await readIdx(o.labels);
    if (lab.dims.length !== 1) throw new DataError(o.labels, `IDX labels must have 1 dimension, got [${lab.dims}]`);
    if (lab.dims[0] !== n) throw new DataError(o.labels, `${lab.dims[0]} labels for ${n} images in ${o.images}`);
    labels = Int32Array.from(lab.data);
    const numClasses = o.numClasses ?? (classNames.length || labels.reduce((m, y) => Math.max(m, y), -1) + 1);
    const bad = labels.findIndex((y) => y >= numClasses);
    if (bad >= 0) throw new DataError(o.labels, `label ${labels[bad]} at index ${bad} out of range [0, ${numClasses})`);
    if (classNames.length === 0) classNames = Array.from({ length: numClasses }, (_, i) => String(i));
  }
  return new InMemoryDataset({ name: o.name ?? o.images, images: img.data, height, width, channels, labels, classNames });
}

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

export interface MnistOptions {
  /** Folder with the four IDX files (plain or .gz); default: Debian's folder for Fashion-MNIST. */
  root?: string;
  split: 'train' | 'test';
}

function findIdx(root: string, base: string, what: string): string {
  for (const name of [`${base}.gz`, base, base.replace(/-idx(\d)-/, '.idx$1-')]) {
    const file = join(root, name);
    if (existsSync(file)) return file;
  }
  throw new DataError(root, `${what} file ${base}(.gz) not found` +
    (root === FASHION_MNIST_DEBIAN_DIR ? ' (install it with `apt-get install dataset-fashion-mnist` or give a folder)' : ''));
}

async function mnistLike(name: string, root: string, split: 'train' | 'test', classNames: readonly string[]): Promise<InMemoryDataset> {
  if (split !== 'train' && split !== 'test') throw new RangeError(`${name}: split must be 'train' or 'test', got '${split as string}'`);
  const prefix = split === 'train' ? 'train' : 't10k';
  return idxDataset({
    name: `${name}/${split}`,
    images: findIdx(root, `${prefix}-images-idx3-ubyte`, name),
    labels: findIdx(root, `${prefix}-labels-idx1-ubyte`, name),
    classNames,
  });
}

/** Fashion-MNIST (60000 train / 10000 test, 28x28 grayscale, 10 classes). */
export function fashionMnist(o: MnistOptions): Promise<InMemoryDataset> {
  return mnistLike('fashion-mnist', o.root ?? FASHION_MNIST_DEBIAN_DIR, o.split, FASHION_MNIST_CLASSES);
}

/** MNIST digits from a folder holding the four IDX files. */
export function mnist(o: MnistOptions & { root: string }): Promise<InMemoryDataset> {
  return mnistLike('mnist', o.root, o.split, Array.from({ length: 10 }, (_, i) => String(i)));
}
