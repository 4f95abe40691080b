// Nearest-neighbour retrieval grid (issue 16 section 2): a few test images per class, each followed by its top-k cosine
// neighbours among the gallery (training) images; green frame = same class, red = another. PNG composed by sharp.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { nearestNeighbours, rowCount, type FeatureRows, type ImageSet } from './neighbours.js';

export interface LabelledImageSet extends ImageSet {
  /** Class index of every image. */
  labels: ArrayLike<number>;
}

export interface RetrievalGridOptions {
  /** The query images (the test set): one row of features per image in `queryFeatures`. */
  queries: LabelledImageSet;
  queryFeatures: FeatureRows;
  /** The images searched (the training set): one row of features per image in `galleryFeatures`. */
  gallery: LabelledImageSet;
  galleryFeatures: FeatureRows;
  classNames: readonly string[];
  /** PNG file to write. */
  out: string;
  /** Printed above the grid, e.g. 'Pretrained encoder' or 'Raw pixels'. */
  title?: string;
  /** Query images per class; default 2 (the first ones of each class, in index order). */
  perClass?: number;
  /** Neighbours per query; default 8. */
  k?: number;
  /** Explicit query images (indices into `queries`) instead of the first `perClass` of each class. */
  queryIndices?: ArrayLike<number>;
  /** Images are enlarged (nearest neighbour) to at least this many pixels a side; default 64. */
  minCell?: number;
}

export interface RetrievalRow {
  query: number;
  label: number;
  /** Gallery indices, nearest first. */
  neighbours: number[];
  similarities: number[];
  correct: boolean[];
}

export interface RetrievalGridResult {
  out: string;
  width: number;
  height: number;
  rows: RetrievalRow[];
  /** Fraction of the neighbours shown that have their query's class. */
  precision: number;
  caption: string;
}

const COLOURS = { query: [31, 119, 180], right: [44, 160, 44], wrong: [214, 39, 40] } as const;
const BORDER = 3;
const GAP = 4;
const QUERY_GAP = 14;
const LABEL_WIDTH = 150;
const TITLE_HEIGHT = 44;

/** The first `perClass` images of each class, class by class. */
export function firstPerClass(labels: ArrayLike<number>, numClasses: number, perClass: number): number[] {
  const picked: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c >= 0 && c < numClasses && picked[c].length < perClass) picked[c].push(i);
  }
  return picked.flat();
}

/** Feature rows at `indices` as a new matrix. */
function selectRows(f: FeatureRows, indices: number[]): FeatureRows {
  const data = new Float32Array(indices.length * f.dim);
  indices.forEach((r, i) => data.set(f.data.subarray(r * f.dim, (r + 1) * f.dim), i * f.dim));
  return { data, dim: f.dim };
}

/** Image `i` of a set as RGB bytes (grey repeated into three channels). */
function rgbImage(set: ImageSet, i: number): Buffer {
  const size = set.height * set.width * set.channels;
  const src = set.images.subarray(i * size, (i + 1) * size);
  if (set.channels === 3) return Buffer.from(src);
  const rgb = Buffer.alloc(set.height * set.width * 3);
  for (let p = 0; p < src.length; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = src[p];
  return rgb;
}

/** One framed, enlarged image as PNG bytes. */
async function tile(set: ImageSet, i: number, scale: number, frame: readonly number[]): Promise<Buffer> {
  const [r, g, b] = frame;
  return sharp(rgbImage(set, i), { raw: { width: set.width, height: set.height, channels: 3 } })
    .resize(set.width * scale, set.height * scale, { kernel: 'nearest' })
    .extend({ top: BORDER, bottom: BORDER, left: BORDER, right: BORDER, background: { r, g, b } })
    .png().toBuffer();
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function checkSet(set: LabelledImageSet, features: FeatureRows, what: string): void {
  const n = set.images.length / (set.height * set.width * set.channels);
  if (![1, 3].includes(set.channels)) throw new RangeError(`retrieval grid: ${what} images must have 1 or 3 channels, got ${set.channels}`);
  if (!Number.isInteger(n)) throw new RangeError(`retrieval grid: ${what} images are not a whole number of ${set.height}x${set.width}x${set.channels} images`);
  if (set.labels.length !== n) throw new RangeError(`retrieval grid: ${n} ${what} images but ${set.labels.length} labels`);
  const rows = rowCount(features, `retrieval grid ${what} features`);
  if (rows !== n) throw new RangeError(`retrieval grid: ${n} ${what} images but ${rows} feature rows`);
}

/** The neighbours of every chosen query, with whether each has the query's class. */
export function retrievalRows(o: RetrievalGridOptions): RetrievalRow[] {
  checkSet(o.queries, o.queryFeatures, 'query');
  checkSet(o.gallery, o.galleryFeatures, 'gallery');
  const k = o.k ?? 8;
  const picked = o.queryIndices ? Array.from(o.queryIndices) : firstPerClass(o.queries.labels, o.classNames.length, o.perClass ?? 2);
  if (picked.length === 0) throw new RangeError('retrieval grid: no query images (no labels in range of the class names?)');
  const nn = nearestNeighbours(selectRows(o.queryFeatures, picked), o.galleryFeatures, k);
  return picked.map((query, r) => {
    const neighbours = Array.from(nn.indices.subarray(r * k, (r + 1) * k));
    const label = o.queries.labels[query];
    return {
      query, label, neighbours, similarities: Array.from(nn.similarities.subarray(r * k, (r + 1) * k)),
      correct: neighbours.map((g) => o.gallery.labels[g] === label),
    };
  });
}

/** Pixel geometry of the grid: enlargement, tile size, where the neighbours start, canvas size. */
function layout(o: RetrievalGridOptions, rows: number, k: number) {
  const { height: h, width: w } = o.queries;
  if (o.gallery.height !== h || o.gallery.width !== w) throw new RangeError(`retrieval grid: query images are ${h}x${w} but gallery images ${o.gallery.height}x${o.gallery.width}`);
  const scale = Math.max(1, Math.ceil((o.minCell ?? 64) / Math.min(h, w)));
  const [tw, th] = [w * scale + 2 * BORDER, h * scale + 2 * BORDER];
  const x0 = LABEL_WIDTH + tw + QUERY_GAP;
  return { scale, tw, th, x0, width: x0 + k * (tw + GAP), height: TITLE_HEIGHT + rows * (th + GAP) };
}

/** The framed tiles of every row and one SVG layer with the title, column heads and row labels. */
async function layers(o: RetrievalGridOptions, rows: RetrievalRow[], g: ReturnType<typeof layout>): Promise<OverlayOptions[]> {
  const k = rows[0].neighbours.length;
  const composites: OverlayOptions[] = [];
  const text = [`<text x="6" y="18" font-size="16" font-weight="bold">${escapeXml(o.title ?? 'Nearest neighbours')}</text>`,
    `<text x="${LABEL_WIDTH}" y="38" font-size="12" fill="#555">query</text>`,
    `<text x="${g.x0}" y="38" font-size="12" fill="#555">${k} nearest training images (cosine), nearest first</text>`];
  for (const [r, row] of rows.entries()) {
    const top = TITLE_HEIGHT + r * (g.th + GAP);
    composites.push({ input: await tile(o.queries, row.query, g.scale, COLOURS.query), top, left: LABEL_WIDTH });
    for (const [j, n] of row.neighbours.entries()) {
      composites.push({ input: await tile(o.gallery, n, g.scale, row.correct[j] ? COLOURS.right : COLOURS.wrong), top, left: g.x0 + j * (g.tw + GAP) });
    }
    text.push(`<text x="6" y="${top + g.th / 2}" font-size="14">${escapeXml(o.classNames[row.label] ?? String(row.label))}</text>`,
      `<text x="6" y="${top + g.th / 2 + 17}" font-size="12" fill="#555">${row.correct.filter(Boolean).length}/${k} same class</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${g.width}" height="${g.height}" font-family="DejaVu Sans, sans-serif">${text.join('')}</svg>`;
  return [...composites, { input: Buffer.from(svg), top: 0, left: 0 }];
}

/** Writes the grid PNG: per row the class name and hit count, the query, then its neighbours nearest first. */
export async function writeRetrievalGrid(o: RetrievalGridOptions): Promise<RetrievalGridResult> {
  const rows = retrievalRows(o);
  const k = rows[0].neighbours.length;
  const g = layout(o, rows.length, k);
  await mkdir(dirname(o.out), { recursive: true });
  await sharp({ create: { width: g.width, height: g.height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(await layers(o, rows, g)).png().toFile(o.out);
  const shown = rows.flatMap((r) => r.correct);
  const precision = shown.filter(Boolean).length / shown.length;
  const caption = `${o.title ?? 'Nearest neighbours'}: each row is a test image (blue frame) followed by its ${k} nearest training images by cosine ` +
    `similarity; a green frame marks the query's class, red another class. ${(100 * precision).toFixed(1)}% of the ${shown.length} neighbours shown share their query's class.`;
  return { out: o.out, width: g.width, height: g.height, rows, precision, caption };
}
