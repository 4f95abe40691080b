// A 2-D map of test embeddings coloured by class (issue 16 section 2): UMAP (McInnes et al. 2018) from umap-js on a
// seeded subsample, its cosine kNN graph computed in libtorch; drawn as a Vega-Lite scatter PNG with a class legend.
import { UMAP } from 'umap-js';
import type { TopLevelSpec } from 'vega-lite';
import { nearestNeighbours, rowCount, type FeatureRows } from './neighbours.js';
import { writeVegaLitePng } from './vega_png.js';

export interface EmbeddingMapOptions {
  /** One embedding row per test image. */
  features: FeatureRows;
  labels: ArrayLike<number>;
  classNames: readonly string[];
  /** PNG file to write. */
  out: string;
  title?: string;
  /** Points drawn: a seeded random subsample of at most this many rows; default 2000. */
  maxPoints?: number;
  /** Seeds the subsample and UMAP: the same seed and data give the same picture. Default 0. */
  seed?: number;
  /** UMAP's neighbourhood size; default 15. */
  nNeighbors?: number;
  /** UMAP's minimum distance between embedded points; default 0.1. */
  minDist?: number;
  /** UMAP optimisation epochs; default 200. */
  nEpochs?: number;
}

export interface EmbeddingMapResult {
  out: string;
  width: number;
  height: number;
  /** Rows of `features` drawn, ascending. */
  indices: number[];
  /** 2-D position of each drawn row: (n, 2) row-major. */
  coordinates: Float32Array;
  caption: string;
}

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct indices of [0, n) drawn with `random` (partial Fisher-Yates), ascending; all of them if count >= n. */
export function subsample(n: number, count: number, random: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(count, n);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, m).sort((a, b) => a - b);
}

/** UMAP coordinates (n, 2) of the rows of `f`, on the cosine kNN graph; deterministic for a given `seed`. */
export function umap2d(f: FeatureRows, o: { seed?: number; nNeighbors?: number; minDist?: number; nEpochs?: number } = {}): Float32Array {
  const n = rowCount(f, 'umap2d features');
  const k = Math.min(o.nNeighbors ?? 15, n - 1);
  if (k < 2) throw new RangeError(`umap2d: needs at least 3 points, got ${n}`);
  const nn = nearestNeighbours(f, f, k); // each row is its own first neighbour, as UMAP expects
  const rows = (a: Float32Array | Int32Array, map: (v: number) => number) => Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * k, (i + 1) * k), map));
  const umap = new UMAP({ nComponents: 2, nNeighbors: k, minDist: o.minDist ?? 0.1, nEpochs: o.nEpochs ?? 200, random: seededRandom(o.seed ?? 0) });
  // Euclidean distance between unit vectors, from the cosine similarity s: sqrt(2 - 2s).
  umap.setPrecomputedKNN(rows(nn.indices, (v) => v), rows(nn.similarities, (s) => Math.sqrt(Math.max(0, 2 - 2 * s))));
  const data = Array.from({ length: n }, (_, i) => Array.from(f.data.subarray(i * f.dim, (i + 1) * f.dim)));
  return Float32Array.from(umap.fit(data).flat());
}

/** Rows `indices` of a feature matrix. */
function pick(f: FeatureRows, indices: number[]): FeatureRows {
  const data = new Float32Array(indices.length * f.dim);
  indices.forEach((r, i) => data.set(f.data.subarray(r * f.dim, (r + 1) * f.dim), i * f.dim));
  return { data, dim: f.dim };
}

function scatterSpec(points: Array<{ x: number; y: number; class: string }>, classNames: readonly string[], title: string): TopLevelSpec {
  const hidden = { title: null, labels: false, ticks: false, grid: false, domain: false };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title, width: 480, height: 480, background: 'white',
    data: { values: points },
    mark: { type: 'circle', size: 14, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: hidden, scale: { zero: false, nice: false } },
      y: { field: 'y', type: 'quantitative', axis: hidden, scale: { zero: false, nice: false } },
      color: { field: 'class', type: 'nominal', title: 'class', scale: { domain: [...classNames], scheme: classNames.length <= 10 ? 'tableau10' : 'tableau20' } },
    },
  };
}

/** Writes the map PNG of a seeded subsample of the embeddings; returns what was drawn and a caption saying so. */
export async function writeEmbeddingMap(o: EmbeddingMapOptions): Promise<EmbeddingMapResult> {
  const n = rowCount(o.features, 'embedding map features');
  if (o.labels.length !== n) throw new RangeError(`embedding map: ${n} feature rows but ${o.labels.length} labels`);
  const seed = o.seed ?? 0;
  const indices = subsample(n, o.maxPoints ?? 2000, seededRandom(seed ^ 0x5eed));
  const coordinates = umap2d(pick(o.features, indices), { seed, nNeighbors: o.nNeighbors, minDist: o.minDist, nEpochs: o.nEpochs });
  const name = (c: number) => o.classNames[c] ?? String(c);
  const points = indices.map((r, i) => ({ x: coordinates[2 * i], y: coordinates[2 * i + 1], class: name(o.labels[r]) }));
  const title = o.title ?? 'Test embeddings (UMAP)';
  const { width, height } = await writeVegaLitePng(o.out, scatterSpec(points, o.classNames, title));
  const drawn = indices.length < n ? `a random subsample of ${indices.length} of the ${n} test images (seed ${seed})` : `all ${n} test images`;
  const caption = `${title}: UMAP (umap-js, ${o.nNeighbors ?? 15} neighbours by cosine similarity, min_dist ${o.minDist ?? 0.1}, seed ${seed}) ` +
    `of ${drawn}, coloured by true class. Axes have no units; only neighbourhoods are meaningful.`;
  return { out: o.out, width, height, indices, coordinates, caption };
}
