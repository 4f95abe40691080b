// `simclr show-augment` and its library form `showAugment`: a PNG grid with one row per image: the original, then its
// two SimCLR views, so a person can check the augmentation recipe by eye.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { cat, F, Generator, randperm, tidy, type Tensor } from '../tensor/index.js';
import { simclrViews, toFloatImages } from './augment.js';
import { resolveAugmentOptions, type AugmentOptions } from './augment_params.js';
import type { Dataset } from './dataset.js';
import { loadDataSpec, type DataSpec } from './spec.js';

export interface AugmentGridOptions extends AugmentOptions {
  dataset: Dataset;
  /** Number of rows (images); default 8. */
  n?: number;
  /** PNG file to write. */
  out: string;
  generator: Generator;
  /** Which images; default n drawn at random with the generator. */
  indices?: ArrayLike<number>;
  /** Cells are enlarged (nearest neighbour) to at least this many pixels; default 96. */
  minCell?: number;
  /** White gap between cells in output pixels; default 2. */
  gap?: number;
}

/** Builds the grid as uint8 (rows * cell, 3 * cell, C) HWC bytes. */
function gridPixels(o: AugmentGridOptions, indices: ArrayLike<number>) {
  const { dataset } = o;
  const r = resolveAugmentOptions(o, dataset.height, dataset.width);
  const scale = Math.max(1, Math.ceil((o.minCell ?? 96) / Math.min(r.height, r.width)));
  const gap = o.gap ?? 2;
  return tidy(() => {
    const images = dataset.getBatch(indices); // (n, C, H, W) uint8
    const original = F.interpolate(toFloatImages(images), { size: [r.height, r.width], mode: 'bilinear' }); // (n, C, h, w)
    const [v1, v2] = simclrViews(images, o, o.generator); // (n, C, h, w) each
    const cells = cat([original, v1, v2].map((t) => t.unsqueeze(1)), 1); // (n, 3, C, h, w)
    const [n, , C, h, w] = cells.shape;
    const big = F.interpolate(cells.reshape([n * 3, C, h, w]), { size: [h * scale, w * scale], mode: 'nearest' }); // (3n, C, H', W')
    const padded = F.pad(big, [0, gap, 0, gap], 'constant', 1); // (3n, C, H'+gap, W'+gap)
    const [ch, cw] = [h * scale + gap, w * scale + gap];
    const hwc = padded.reshape([n, 3, C, ch, cw]).permute([0, 3, 1, 4, 2]).reshape([n * ch, 3 * cw, C]); // (n*ch, 3*cw, C)
    const bytes = hwc.mul(255).round().clamp(0, 255).to('uint8').dataSync() as Uint8Array;
    return { bytes, height: n * ch, width: 3 * cw, channels: C as 1 | 3 };
  });
}

/** Writes the original | view 1 | view 2 grid of n images to `out` (PNG). */
export async function writeAugmentGrid(o: AugmentGridOptions): Promise<{ out: string; indices: number[] }> {
  const n = Math.min(o.n ?? 8, o.dataset.length);
  if (n < 1) throw new RangeError(`writeAugmentGrid: dataset ${o.dataset.name} is empty`);
  const indices = o.indices ? Array.from(o.indices) : tidy(() => (randperm(o.dataset.length, { generator: o.generator }).narrow(0, 0, n) as Tensor).toFlatArray());
  const { bytes, height, width, channels } = gridPixels(o, indices);
  await mkdir(dirname(o.out), { recursive: true });
  await sharp(bytes, { raw: { width, height, channels } }).png().toFile(o.out);
  return { out: o.out, indices };
}

export interface ShowAugmentOptions extends AugmentOptions, Pick<AugmentGridOptions, 'n' | 'out' | 'indices' | 'minCell' | 'gap'> {
  /** A data string ('fashion-mnist', 'cifar10:DIR', 'folder:DIR', ...; its training split is shown) or a dataset. */
  data: string | DataSpec | Dataset;
  /** Seeds which images (unless `indices`) and their views; default 0. */
  seed?: number;
  /** A data string naming an image folder: leave out unreadable images instead of failing. */
  skipBad?: boolean;
}

/** `simclr show-augment` as a function: loads the data when given its string, then writes the grid with a seeded generator. */
export async function showAugment(o: ShowAugmentOptions): Promise<{ out: string; indices: number[] }> {
  const { data, seed, skipBad, ...rest } = o;
  const dataset = typeof data === 'object' && 'getBatch' in data ? data : (await loadDataSpec(data, { skipBad })).train;
  return writeAugmentGrid({ ...rest, dataset, generator: new Generator(seed ?? 0) });
}
