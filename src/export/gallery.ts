// A small nearest-neighbour gallery beside an encoder's ONNX export (`<file>.gallery.json`): class-balanced training
// images as PNG data URLs, their labels and class names, and their L2-normalised features (as `simclr embed` gives them).
import sharp from 'sharp';
import { basename, isAbsolute, sep } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { F, tidy, writeFileAtomicSync, type Tensor } from '../tensor/index.js';

export const GALLERY_FORMAT = 'simclr-ts-gallery/1';
/** Images in a gallery by default: about 220 KB for 28 x 28 gray images and 64 features. */
export const DEFAULT_GALLERY_SIZE = 200;
/** A gallery is meant to be fetched by a web page at once: at most this many images. */
export const MAX_GALLERY_SIZE = 5000;

export interface GalleryItem {
  /** Index of the image in the training split. */
  index: number;
  label: number;
  /** PNG of the image as stored in the dataset (before the evaluation transform). */
  image: string;
}

export interface GalleryFile {
  format: typeof GALLERY_FORMAT;
  /** The .onnx file whose output these features are. */
  onnx: string;
  /** Projection layer of the features (0 = encoder output h), as the ONNX info's projectionLayer. */
  projectionLayer: number;
  /** The training split the images come from. */
  source: string;
  classNames: string[];
  items: GalleryItem[];
  /** Row i = items[i]'s features divided by their L2 norm: float32 little-endian (N, dim), base64. */
  features: { dim: number; dtype: 'float32'; byteOrder: 'little'; normalised: true; base64: string };
}

/** `<file>.gallery.json` beside an .onnx file. */
export function galleryPath(onnxPath: string): string {
  return `${onnxPath}.gallery.json`;
}

/** Refuses a gallery size that is not an integer in 1..MAX_GALLERY_SIZE, naming the option. */
export function checkGallerySize(n: number, what = '--gallery'): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_GALLERY_SIZE) {
    throw new RangeError(`${what} ${n}: expected a number of gallery images from 1 to ${MAX_GALLERY_SIZE}`);
  }
  return n;
}

/**
 * Deterministic class-balanced choice: floor(n / K) images per class plus one more for the first n mod K classes,
 * each class's first images in index order. Returns the chosen indices in increasing order.
 */
export function chooseGallery(data: Pick<Dataset, 'name' | 'labels' | 'numClasses' | 'classNames'>, n: number): Int32Array {
  checkGallerySize(n);
  const { labels, numClasses: k } = data;
  if (!labels || k === 0) throw new Error(`${data.name}: a gallery needs labelled training images (this split has no labels)`);
  if (n < k) throw new RangeError(`--gallery ${n}: ${data.name} has ${k} classes, so a class-balanced gallery needs at least ${k} images`);
  const share = (c: number) => Math.floor(n / k) + (c < n % k ? 1 : 0);
  const taken = new Array<number>(k).fill(0);
  const chosen: number[] = [];
  for (let i = 0; i < labels.length && chosen.length < n; i++) {
    if (taken[labels[i]] < share(labels[i])) {
      taken[labels[i]]++;
      chosen.push(i);
    }
  }
  const short = taken.findIndex((t, c) => t < share(c));
  if (short >= 0) {
    throw new RangeError(`--gallery ${n}: ${data.name} has only ${taken[short]} images of class '${data.classNames[short] ?? short}', ${share(short)} needed`);
  }
  return Int32Array.from(chosen);
}

/** Image `i` of a dataset (HWC bytes) as a PNG data URL. */
async function pngDataUrl(data: Dataset, i: number): Promise<string> {
  const size = data.height * data.width * data.channels;
  const raw = Buffer.from(data.images.buffer, data.images.byteOffset + i * size, size);
  const image = sharp(raw, { raw: { width: data.width, height: data.height, channels: data.channels as 1 | 3 } });
  const png = await (data.channels === 1 ? image.toColourspace('b-w') : image).png({ compressionLevel: 9, adaptiveFiltering: true }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

export interface GalleryOptions {
  onnx: string;
  projectionLayer: number;
  /** Expected feature count (the ONNX output's); checked. */
  dim?: number;
}

/**
 * The gallery of training images `indices` of `data`, whose raw features (N, D) (the model's, row i = indices[i]) are
 * L2-normalised here in libtorch (F.normalize, eps 1e-12). `features` stays the caller's.
 */
export async function buildGallery(data: Dataset, indices: Int32Array, features: Tensor, o: GalleryOptions): Promise<GalleryFile> {
  if (features.ndim !== 2 || features.shape[0] !== indices.length) {
    throw new RangeError(`gallery: features of shape [${features.shape}] for ${indices.length} images`);
  }
  const dim = features.shape[1];
  if (o.dim !== undefined && dim !== o.dim) throw new RangeError(`gallery: ${dim} features per image, but ${o.onnx} outputs ${o.dim}`);
  const normed = tidy(() => F.normalize(features.to('cpu').to('float32'), { dim: 1 }).contiguous().dataSync() as Float32Array); // (N, D)
  const bytes = Buffer.alloc(normed.length * 4);
  normed.forEach((v, i) => bytes.writeFloatLE(v, 4 * i));
  const items: GalleryItem[] = [];
  for (const index of indices) items.push({ index, label: data.labels![index], image: await pngDataUrl(data, index) });
  return {
    format: GALLERY_FORMAT, onnx: basename(o.onnx), projectionLayer: o.projectionLayer, source: servedName(data.name), classNames: [...data.classNames], items,
    features: { dim, dtype: 'float32', byteOrder: 'little', normalised: true, base64: bytes.toString('base64') },
  };
}

/** Writes the gallery atomically; returns its size in bytes. */
export function saveGallery(path: string, gallery: GalleryFile): number {
  const bytes = new TextEncoder().encode(`${JSON.stringify(gallery)}\n`);
  writeFileAtomicSync(path, bytes);
  return bytes.length;
}

/** The features of a gallery file as rows of numbers (for checks in Node). */
export function galleryFeatures(gallery: GalleryFile): number[][] {
  const buf = Buffer.from(gallery.features.base64, 'base64');
  const { dim } = gallery.features;
  return Array.from({ length: buf.length / (4 * dim) }, (_, r) => Array.from({ length: dim }, (_, c) => buf.readFloatLE(4 * (r * dim + c))));
}

/** The data set's name as a served file may show it: an absolute folder path keeps only its last two parts. */
function servedName(name: string): string {
  return isAbsolute(name) ? name.split(sep).filter(Boolean).slice(-2).join('/') : name;
}
