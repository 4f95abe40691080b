// Cosine nearest neighbours of feature rows among gallery rows, computed in libtorch (matmul + topk) chunk by chunk,
// for the report's retrieval grids and embedding maps; plain data in and out (images HWC uint8, features row-major).
import { cat, F, keep, tensor, tidy, type Tensor } from '../tensor/index.js';

/** Images as the data layer holds them (the fields of data.Dataset): N * H * W * C bytes, HWC per image. */
export interface ImageSet {
  images: Uint8Array;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
}

/** N feature rows of width `dim`, row-major: N * dim values (uint8 rows are raw pixels). */
export interface FeatureRows {
  data: Float32Array | Uint8Array;
  dim: number;
}

export interface Neighbours {
  /** Gallery row of each query's j-th neighbour, nearest first: (M, k) row-major. */
  indices: Int32Array;
  /** Cosine similarity of each of those neighbours: (M, k) row-major. */
  similarities: Float32Array;
  k: number;
}

export interface NeighbourOptions {
  /** Gallery rows per matmul; default 4096. */
  galleryChunk?: number;
  /** Query rows per matmul; default 1024. Similarities held at once: queryChunk x galleryChunk. */
  queryChunk?: number;
}

/** Number of rows of a feature matrix, checking that the data is whole rows. */
export function rowCount(f: FeatureRows, what: string): number {
  if (!Number.isInteger(f.dim) || f.dim < 1) throw new RangeError(`${what}: dim must be a positive integer, got ${f.dim}`);
  if (f.data.length % f.dim !== 0) throw new RangeError(`${what}: ${f.data.length} values is not a whole number of rows of ${f.dim}`);
  return f.data.length / f.dim;
}

/** Raw-pixel features of an image set (no copy: cosine similarity does not care about the 1/255 scale). */
export function pixelFeatures(set: ImageSet): FeatureRows {
  return { data: set.images, dim: set.height * set.width * set.channels };
}

/** Rows [start, start + n) as an L2-normalised float tensor. */
function normalisedRows(f: FeatureRows, start: number, n: number): Tensor {
  const rows = tensor(f.data.subarray(start * f.dim, (start + n) * f.dim), [n, f.dim]); // (n, D)
  return F.normalize(rows.float(), { dim: 1 }); // (n, D)
}

/** Merges the running best (B, k) with one gallery chunk's candidates; returns the new best, kept. */
function mergeChunk(q: Tensor, g: Tensor, offset: number, k: number, best: [Tensor, Tensor] | null): [Tensor, Tensor] {
  const pair = tidy(() => {
    const top = q.matmul(g.t()).topk(Math.min(k, g.shape[0]), 1); // (B, k')
    let values = top.values;
    let indices = top.indices.add(offset); // (B, k')
    if (best) {
      const all = cat([best[0], values], 1); // (B, k + k')
      const allIndices = cat([best[1], indices], 1); // (B, k + k')
      const merged = all.topk(Math.min(k, all.shape[1]), 1); // (B, k)
      values = merged.values;
      indices = allIndices.gather(1, merged.indices); // (B, k)
    }
    return [values, indices] as [Tensor, Tensor];
  });
  return [keep(pair[0]), keep(pair[1])];
}

/**
 * The k most cosine-similar gallery rows of every query row, nearest first. The query and the gallery may be the
 * same rows (each row is then its own first neighbour). Memory is bounded by the chunk sizes, not by N or M.
 */
export function nearestNeighbours(query: FeatureRows, gallery: FeatureRows, k: number, o: NeighbourOptions = {}): Neighbours {
  const m = rowCount(query, 'nearestNeighbours query');
  const n = rowCount(gallery, 'nearestNeighbours gallery');
  if (query.dim !== gallery.dim) throw new RangeError(`nearestNeighbours: query rows have ${query.dim} values but gallery rows ${gallery.dim}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`nearestNeighbours: k must be an integer in [1, ${n}] (gallery rows), got ${k}`);
  const gChunk = o.galleryChunk ?? 4096;
  const qChunk = o.queryChunk ?? 1024;
  const queries: Tensor[] = [];
  const best: Array<[Tensor, Tensor] | null> = [];
  try {
    for (let s = 0; s < m; s += qChunk) {
      queries.push(keep(tidy(() => normalisedRows(query, s, Math.min(qChunk, m - s))))); // (B, D)
      best.push(null);
    }
    for (let gs = 0; gs < n; gs += gChunk) {
      const g = keep(tidy(() => normalisedRows(gallery, gs, Math.min(gChunk, n - gs)))); // (G, D)
      try {
        queries.forEach((q, i) => {
          const next = mergeChunk(q, g, gs, k, best[i]);
          for (const t of best[i] ?? []) t.dispose();
          best[i] = next;
        });
      } finally {
        g.dispose();
      }
    }
    const indices = new Int32Array(m * k);
    const similarities = new Float32Array(m * k);
    best.forEach((b, i) => {
      const offset = i * qChunk * k;
      similarities.set(b![0].dataSync() as Float32Array, offset);
      indices.set(tidy(() => b![1].to('int32').dataSync() as Int32Array), offset);
    });
    return { indices, similarities, k };
  } finally {
    for (const t of [...queries, ...best.flatMap((b) => b ?? [])]) t.dispose();
  }
}
