// The one dataset interface (decoded uint8 images in memory, HWC per image, plus labels and class names)
// and its in-memory implementation; every loader (IDX, CIFAR, image folders) returns one of these.
import { tensor, type Tensor } from '../tensor/index.js';
import type { BadFile } from './errors.js';

export interface Dataset {
  /** Short description, e.g. 'fashion-mnist/train' or a folder path. */
  readonly name: string;
  readonly length: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Number of classes; 0 for unlabeled data. */
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** Class index of each image, or null for unlabeled data. */
  readonly labels: Int32Array | null;
  /** All images decoded once: N * H * W * C bytes, HWC per image. */
  readonly images: Uint8Array;
  /** Source file of each image, when the images came from files (used by subset file lists). */
  readonly files: readonly string[] | null;
  /** Files skipped under `skipBad` (empty otherwise). */
  readonly badFiles: readonly BadFile[];
  /** Images at `indices` as a uint8 tensor (B, C, H, W). */
  getBatch(indices: ArrayLike<number>): Tensor;
  /** Labels at `indices` as an int64 tensor (B,); throws for unlabeled data. */
  getLabels(indices: ArrayLike<number>): Tensor;
}

export interface InMemoryDatasetInit {
  name: string;
  images: Uint8Array;
  height: number;
  width: number;
  channels: number;
  labels?: Int32Array | null;
  classNames?: readonly string[];
  files?: readonly string[] | null;
  badFiles?: readonly BadFile[];
}

export class InMemoryDataset implements Dataset {
  readonly name: string;
  readonly length: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly labels: Int32Array | null;
  readonly images: Uint8Array;
  readonly files: readonly string[] | null;
  readonly badFiles: readonly BadFile[];

  constructor(init: InMemoryDatasetInit) {
    const { name, images, height, width, channels } = init;
    const imageBytes = height * width * channels;
    if (![height, width, channels].every((v) => Number.isInteger(v) && v > 0)) {
      throw new RangeError(`${name}: height, width and channels must be positive integers, got ${height}x${width}x${channels}`);
    }
    if (images.length % imageBytes !== 0) throw new RangeError(`${name}: ${images.length} bytes is not a whole number of ${height}x${width}x${channels} images`);
    this.length = images.length / imageBytes;
    this.labels = init.labels ?? null;
    if (this.labels && this.labels.length !== this.length) throw new RangeError(`${name}: ${this.labels.length} labels for ${this.length} images`);
    if (init.files && init.files.length !== this.length) throw new RangeError(`${name}: ${init.files.length} file names for ${this.length} images`);
    this.classNames = init.classNames ?? [];
    this.numClasses = this.labels ? this.classNames.length : 0;
    this.name = name;
    this.images = images;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.files = init.files ?? null;
    this.badFiles = init.badFiles ?? [];
  }

  getBatch(indices: ArrayLike<number>): Tensor {
    const n = indices.length;
    const size = this.height * this.width * this.channels;
    const out = new Uint8Array(n * size);
    for (let b = 0; b < n; b++) {
      const i = this.checkIndex(indices[b]);
      out.set(this.images.subarray(i * size, (i + 1) * size), b * size); // one memcpy per image
    }
    const hwc = tensor(out, [n, this.height, this.width, this.channels]); // (B, H, W, C)
    const chw = hwc.permute([0, 3, 1, 2]).contiguous(); // (B, C, H, W)
    hwc.dispose();
    return chw;
  }

  getLabels(indices: ArrayLike<number>): Tensor {
    if (!this.labels) throw new Error(`${this.name}: dataset is unlabeled`);
    const out = new Int32Array(indices.length);
    for (let b = 0; b < indices.length; b++) out[b] = this.labels[this.checkIndex(indices[b])];
    return tensor(out, [out.length], { dtype: 'int64' }); // (B,)
  }

  private checkIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`${this.name}: index ${i} out of range [0, ${this.length})`);
    return i;
  }
}

/** A new dataset holding copies of the images at `indices` (for labelled subsets). */
export function subsetDataset(ds: Dataset, indices: ArrayLike<number>, name = `${ds.name}[subset ${indices.length}]`): InMemoryDataset {
  const size = ds.height * ds.width * ds.channels;
  const images = new Uint8Array(indices.length * size);
  const labels = ds.labels ? new Int32Array(indices.length) : null;
  const files = ds.files ? [] as string[] : null;
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b];
    if (!Number.isInteger(i) || i < 0 || i >= ds.length) throw new RangeError(`subsetDataset: index ${i} out of range [0, ${ds.length}) of ${ds.name}`);
    images.set(ds.images.subarray(i * size, (i + 1) * size), b * size);
    if (labels) labels[b] = ds.labels![i];
    if (files) files.push(ds.files![i]);
  }
  return new InMemoryDataset({ name, images, height: ds.height, width: ds.width, channels: ds.channels, labels, classNames: ds.classNames, files });
}

/** Number of images per class. */
export function classCounts(labels: Int32Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of labels) counts[y]++;
  return counts;
}

/** The first n images of a dataset (all of them when n is 0, absent or at least its length). */
export function firstN(ds: Dataset, n: number | undefined): Dataset {
  return n !== undefined && n > 0 && n < ds.length ? subsetDataset(ds, Int32Array.from({ length: n }, (_, i) => i)) : ds;
}
