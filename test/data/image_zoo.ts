// A folder of generated photos in the formats and modes users have (JPEG, PNG, WebP; grayscale, RGB, alpha, CMYK,
// 16-bit, EXIF-rotated; odd sizes) for tests that push real files through decoding into training.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';

/** One way of writing an image file: its name suffix and the sharp steps that produce it. */
interface ImageKind {
  name: string;
  channels: 1 | 3 | 4;
  write: (img: Sharp) => Sharp;
}

export const IMAGE_KINDS: readonly ImageKind[] = [
  { name: 'rgb.jpg', channels: 3, write: (img) => img.jpeg({ quality: 90 }) },
  { name: 'gray.png', channels: 1, write: (img) => img.png() },
  { name: 'alpha.png', channels: 4, write: (img) => img.png() },
  { name: 'rgb16.png', channels: 3, write: (img) => img.toColourspace('rgb16').png() },
  { name: 'grey16.png', channels: 1, write: (img) => img.toColourspace('grey16').png() },
  { name: 'cmyk.jpg', channels: 3, write: (img) => img.toColourspace('cmyk').jpeg({ quality: 90 }) },
  { name: 'rotated.jpg', channels: 3, write: (img) => img.jpeg({ quality: 90 }).withMetadata({ orientation: 6 }) },
  { name: 'alpha.webp', channels: 4, write: (img) => img.webp({ quality: 90 }) },
  { name: 'gray.webp', channels: 1, write: (img) => img.webp({ quality: 90 }) },
];

/** Sizes (width, height) with odd sides, portrait and landscape, smaller and larger than 224. */
export const IMAGE_SIZES: ReadonlyArray<[number, number]> = [[333, 251], [97, 131], [224, 224], [401, 173], [255, 256]];

/** Smooth class-dependent pattern plus noise, so crops and colour changes see structure. */
function pixels(w: number, h: number, channels: number, cls: number, seed: number): Buffer {
  const px = Buffer.alloc(w * h * channels);
  let state = seed * 2654435761 + 1;
  const noise = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) - 128;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const wave = cls === 0 ? Math.sin(x / 9) : Math.sin((x + y) / 13);
      for (let c = 0; c < channels; c++) {
        const v = c === 3 ? 255 - ((x * 3) % 200) : 128 + 90 * wave * (c + 1) / channels + noise() / 8;
        px[(y * w + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return px;
}

/**
 * Writes root/<class>/<n>-<kind> for every class and image kind, cycling through IMAGE_SIZES; returns the number
 * of files written.
 */
export async function writeImageZoo(root: string, classes: readonly string[] = ['cats', 'dogs'], perKind = 1): Promise<number> {
  let n = 0;
  for (const [cls, name] of classes.entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let r = 0; r < perKind; r++) {
      for (const kind of IMAGE_KINDS) {
        const [width, height] = IMAGE_SIZES[n % IMAGE_SIZES.length];
        const raw = sharp(pixels(width, height, kind.channels, cls, n), { raw: { width, height, channels: kind.channels } });
        await kind.write(raw).toFile(join(root, name, `${r}-${kind.name}`));
        n++;
      }
    }
  }
  return n;
}
