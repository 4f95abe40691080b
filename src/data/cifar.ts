// CIFAR-10 / CIFAR-100 binary batches (www.cs.toronto.edu/~kriz/cifar.html, "binary version"):
// each record is the label byte(s) then 3072 bytes of 32x32 pixels, red plane, green plane, blue plane.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noGrad, tensor } from '../tensor/index.js';
import { InMemoryDataset } from './dataset.js';
import { DataError, firstLine } from './errors.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
const PIXELS = 32 * 32 * 3;

export interface CifarOptions {
  /** Folder with the .bin batches (or its parent holding cifar-10-batches-bin / cifar-100-binary). */
  root: string;
  split: 'train' | 'test';
  /** CIFAR-100 only: the 100 fine labels (default) or the 20 coarse ones. */
  labelType?: 'fine' | 'coarse';
}

interface CifarFormat {
  name: 'cifar10' | 'cifar100';
  subdir: string;
  files: Record<'train' | 'test', string[]>;
  labelBytes: number;
}

const CIFAR10: CifarFormat = {
  name: 'cifar10', subdir: 'cifar-10-batches-bin', labelBytes: 1,
  files: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
};
const CIFAR100: CifarFormat = {
  name: 'cifar100', subdir: 'cifar-100-binary', labelBytes: 2, files: { train: ['train.bin'], test: ['test.bin'] },
};

function resolveRoot(root: string, format: CifarFormat): string {
  const nested = join(root, format.subdir);
  return existsSync(join(nested, format.files.test[0])) || existsSync(join(nested, format.files.train[0])) ? nested : root;
}

/** Class names from the meta text file shipped with the binaries, or numbered names. */
async function readClassNames(file: string, count: number, fallback?: readonly string[]): Promise<string[]> {
  if (existsSync(file)) {
    const names = (await readFile(file, 'utf8')).split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === count) return names;
  }
  return fallback ? [...fallback] : Array.from({ length: count }, (_, i) => String(i));
}

async function readRecords(file: string, labelBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new DataError(file, `cannot read CIFAR batch: ${firstLine(err)}`);
  }
  const record = labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new DataError(file, `truncated or not a CIFAR binary batch: ${bytes.length} bytes is not a multiple of the ${record}-byte record`);
  }
  return bytes;
}

/** Splits records into labels and HWC pixels (the plane-to-HWC transpose runs in libtorch). */
function decodeRecords(bytes: Uint8Array, labelBytes: number, labelOffset: number, numClasses: number, file: string) {
  const record = labelBytes + PIXELS;
  const n = bytes.length / record;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = bytes[i * record + labelOffset];
    if (labels[i] >= numClasses) throw new DataError(file, `label ${labels[i]} of record ${i} out of range [0, ${numClasses})`);
  }
  const images = noGrad(() => {
    const all = tensor(bytes, [n, record]); // (N, labelBytes + 3072)
    const pixels = all.narrow(1, labelBytes, PIXELS).reshape([n, 3, 32, 32]); // (N, C, H, W)
    const hwc = pixels.permute([0, 2, 3, 1]).contiguous(); // (N, H, W, C)
    const data = hwc.dataSync() as Uint8Array;
    for (const t of [all, pixels, hwc]) t.dispose();
    return data;
  });
  return { labels, images };
}

async function loadCifar(format: CifarFormat, o: CifarOptions): Promise<InMemoryDataset> {
  if (o.split !== 'train' && o.split !== 'test') throw new RangeError(`${format.name}: split must be 'train' or 'test', got '${o.split as string}'`);
  const root = resolveRoot(o.root, format);
  const coarse = format === CIFAR100 && o.labelType === 'coarse';
  const numClasses = format === CIFAR10 ? 10 : coarse ? 20 : 100;
  const labelOffset = format === CIFAR100 && !coarse ? 1 : 0;
  const parts = [];
  for (const name of format.files[o.split]) {
    const file = join(root, name);
    if (!existsSync(file)) throw new DataError(file, `${format.name} ${o.split} batch not found`);
    parts.push(decodeRecords(await readRecords(file, format.labelBytes), format.labelBytes, labelOffset, numClasses, file));
  }
  const total = parts.reduce((s, p) => s + p.labels.length, 0);
  const images = new Uint8Array(total * PIXELS);
  const labels = new Int32Array(total);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  const metaFile = format === CIFAR10 ? 'batches.meta.txt' : coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt';
  const classNames = await readClassNames(join(root, metaFile), numClasses, format === CIFAR10 ? CIFAR10_CLASSES : undefined);
  return new InMemoryDataset({ name: `${format.name}/${o.split}`, images, height: 32, width: 32, channels: 3, labels, classNames });
}

/** CIFAR-10 from its binary batches (50000 train / 10000 test). */
export function cifar10(o: CifarOptions): Promise<InMemoryDataset> {
  return loadCifar(CIFAR10, o);
}

/** CIFAR-100 from its binary batches (fine labels by default). */
export function cifar100(o: CifarOptions): Promise<InMemoryDataset> {
  return loadCifar(CIFAR100, o);
}
