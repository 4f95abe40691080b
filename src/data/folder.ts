// Image-folder datasets: labelled `root/<class>/**/*.{jpg,png,webp,...}` (classes = sorted folder names, as
// torchvision's ImageFolder) or unlabeled `root/**/*`; decoded once to the working size, optionally cached on disk.
import { readdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { cacheKey, readCache, writeCache } from './cache.js';
import { InMemoryDataset } from './dataset.js';
import { decodeImage, IMAGE_EXTENSIONS, type DecodeOptions } from './decode.js';
import { badFilesError, DataError, firstLine, warnSkipped, type BadFile, type BadInputOptions } from './errors.js';

export interface ImageFolderOptions extends BadInputOptions {
  root: string;
  /** Working size: every image is resized once to size x size (or [height, width]). */
  size: number | [number, number];
  channels?: 1 | 3;
  fit?: DecodeOptions['fit'];
  /** true (default): one sub-folder per class; false: every image under root, no labels. */
  labeled?: boolean;
  /** Folder for the decoded-pixel cache; no cache when absent. */
  cacheDir?: string;
  /**
   * Label class folders by these names (label = index here), e.g. a test split by its training split's classes, so
   * labels agree by name however the two folder lists differ; a folder not named here is refused.
   */
  classes?: { names: readonly string[]; from: string };
  /** Images decoded at once (sharp runs them on libuv's thread pool). */
  concurrency?: number;
  name?: string;
  /** Checked before each image is decoded: once aborted, loading rejects with its reason (a stop request). */
  signal?: AbortSignal;
}

async function listImages(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new DataError(dir, `cannot list folder: ${firstLine(err)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...await listImages(path));
    else if (IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) files.push(path);
  }
  return files;
}

interface Listing {
  files: string[];
  labels: number[] | null;
  classNames: string[];
  bad: BadFile[];
}

async function listLabeled(root: string, o: ImageFolderOptions): Promise<Listing> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    throw new DataError(root, `cannot list image folder: ${firstLine(err)}`);
  }
  const found = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (found.length === 0) throw new DataError(root, 'no class folders (expected root/<class>/<image>)');
  const classNames = o.classes ? [...o.classes.names] : found;
  const unknown = found.filter((name) => !classNames.includes(name));
  if (unknown.length > 0) {
    const known = classNames.length > 20 ? `${classNames.slice(0, 20).join(', ')}, ... (${classNames.length} in all)` : classNames.join(', ');
    throw new DataError(root, `class folder(s) ${unknown.map((n) => `'${n}'`).join(', ')} not among the classes of ${o.classes!.from} ` +
      `(${known}): every class here must also be a training class`);
  }
  const listing: Listing = { files: [], labels: [], classNames, bad: [] };
  for (const name of found) {
    const dir = join(root, name);
    const files = await listImages(dir);
    if (files.length === 0) listing.bad.push({ file: dir, reason: `empty class folder: no images (${[...IMAGE_EXTENSIONS].join(' ')})` });
    listing.files.push(...files);
    listing.labels!.push(...files.map(() => classNames.indexOf(name)));
  }
  if (listing.bad.length > 0 && !o.skipBad) throw badFilesError(root, listing.bad);
  return listing;
}

async function listUnlabeled(root: string): Promise<Listing> {
  const files = await listImages(root);
  if (files.length === 0) throw new DataError(root, `no images found (${[...IMAGE_EXTENSIONS].join(' ')})`);
  return { files, labels: null, classNames: [], bad: [] };
}

/** Runs fn over items with at most `limit` in flight; results keep the input order. */
async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted(); // decoding runs on libuv's threads, so a signal handler has run between images
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Decodes every listed file; bad files are all reported in one error, or dropped and recorded under skipBad. */
async function decodeAll(root: string, listing: Listing, d: DecodeOptions, o: ImageFolderOptions) {
  const decoded = await mapPool(listing.files, o.concurrency ?? 8, async (file) => {
    try {
      return await decodeImage(file, d);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      listing.bad.push({ file, reason: err.message.slice(file.length + 2) });
      return null;
    }
  }, o.signal);
  listing.bad.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)); // decoding finishes out of order
  if (listing.bad.length > 0 && !o.skipBad) throw badFilesError(root, listing.bad);
  const size = d.height * d.width * d.channels;
  const keep = decoded.flatMap((img, i) => (img === null ? [] : [i]));
  const images = new Uint8Array(keep.length * size);
  keep.forEach((i, at) => images.set(decoded[i]!, at * size));
  return {
    images,
    files: keep.map((i) => listing.files[i]),
    labels: listing.labels ? keep.map((i) => listing.labels![i]) : null,
  };
}

/** Loads (or reads from the cache) an image folder as an in-memory dataset. */
export async function imageFolder(o: ImageFolderOptions): Promise<InMemoryDataset> {
  const root = resolve(o.root);
  const [height, width] = typeof o.size === 'number' ? [o.size, o.size] : o.size;
  const channels = o.channels ?? 3;
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) throw new RangeError(`imageFolder: size must be positive integers, got ${String(o.size)}`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`imageFolder: channels must be 1 or 3, got ${String(channels)}`);
  const decode: DecodeOptions = { height, width, channels, fit: o.fit ?? 'cover' };
  const labeled = o.labeled ?? true;
  const listing = labeled ? await listLabeled(root, o) : await listUnlabeled(root);
  const name = o.name ?? root;
  const key = o.cacheDir ? await cacheKey(listing.files, { root, decode, labeled, classNames: listing.classNames }) : '';
  const cached = o.cacheDir ? await readCache(o.cacheDir, key) : null;
  let result;
  if (cached) {
    if (!o.skipBad && cached.badFiles.length > 0) throw badFilesError(root, cached.badFiles);
    listing.bad = cached.badFiles;
    result = { images: cached.images, files: cached.files, labels: cached.labels };
  } else {
    result = await decodeAll(root, listing, decode, o);
    if (o.cacheDir) {
      await writeCache(o.cacheDir, { key, height, width, channels, classNames: listing.classNames, badFiles: listing.bad, ...result });
    }
  }
  warnSkipped(root, listing.bad, listing.files.length, o);
  if (result.files.length === 0) throw new DataError(root, 'no readable images');
  return new InMemoryDataset({
    name, images: result.images, height, width, channels,
    labels: result.labels ? Int32Array.from(result.labels) : null,
    classNames: listing.classNames, files: result.files, badFiles: listing.bad,
  });
}

