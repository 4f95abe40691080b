// Tiny generated inputs for the reliability tests: PNG class folders written with sharp, corrupt image files and
// IDX files (whole or truncated), so every bad-input case runs in a temporary folder in milliseconds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { idxBytes } from '../data/helpers.js';

/** A size x size RGB PNG whose colour depends on `seed` (so classes differ a little). */
export async function writePng(path: string, size: number, seed: number): Promise<void> {
  const px = Buffer.alloc(size * size * 3);
  for (let i = 0; i < px.length; i++) px[i] = (seed * 53 + i * 7) % 256;
  await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
}

/** root/<class>/<i>.png for each class, `perClass` images of side `size`. */
export async function makeImageFolder(root: string, classes: readonly string[], perClass = 3, size = 8): Promise<string> {
  for (const [c, name] of classes.entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) await writePng(join(root, name, `${i}.png`), size, c * 17 + i);
  }
  return root;
}

/** Writes files that carry an image extension but are not images. */
export function writeCorrupt(paths: readonly string[]): void {
  for (const p of paths) writeFileSync(p, 'this is not an image');
}

/** n images of side `side` and their labels (0..classes-1) as IDX files in `dir`; returns [images, labels] paths. */
export function writeIdxPair(dir: string, name: string, n: number, side: number, classes: number, truncateImages = 0): [string, string] {
  const images = join(dir, `${name}-images.idx`);
  const labels = join(dir, `${name}-labels.idx`);
  const pixels = idxBytes([n, side, side], Uint8Array.from({ length: n * side * side }, (_, i) => (i * 13) & 0xff));
  writeFileSync(images, pixels.subarray(0, pixels.length - truncateImages));
  writeFileSync(labels, idxBytes([n], Uint8Array.from({ length: n }, (_, i) => i % classes)));
  return [images, labels];
}
