// Decodes one image file with sharp (libvips) to HWC uint8 at the working size: EXIF orientation applied,
// alpha composited on white, grayscale/CMYK/palette converted to the requested channel count.
import { readFile } from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { DataError, firstLine } from './errors.js';

/** File extensions read as images (what sharp's bundled libvips decodes). */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif', '.jp2', '.jxl']);

export interface DecodeOptions {
  /** Working size (height, width) every image is resized to once. */
  height: number;
  width: number;
  /** 3 = RGB, 1 = grayscale. */
  channels: 1 | 3;
  /** 'cover' (default): scale the short side and centre-crop; 'fill': stretch; 'contain': letterbox in black. */
  fit?: 'cover' | 'fill' | 'contain';
}

/** Decoded pixels (height * width * channels bytes, HWC); throws a DataError naming the file. */
export async function decodeImage(file: string, o: DecodeOptions): Promise<Uint8Array> {
  let input: Buffer;
  try {
    input = await readFile(file);
  } catch (err) {
    throw new DataError(file, `cannot read image: ${firstLine(err)}`);
  }
  if (input.length === 0) throw new DataError(file, 'empty image file');
  let out: { data: Buffer; info: OutputInfo };
  try {
    let img = sharp(input, { failOn: 'warning' }).rotate() // EXIF orientation
      .flatten({ background: '#ffffff' })
      .resize(o.width, o.height, { fit: o.fit ?? 'cover', kernel: 'lanczos3', background: '#000000' });
    img = o.channels === 1 ? img.grayscale() : img.toColourspace('srgb');
    out = await img.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new DataError(file, `corrupt or unsupported image: ${firstLine(err)}`);
  }
  const { width, height, channels } = out.info;
  // The byte count too: a 16-bit result (2 bytes a sample) would otherwise pass the shape check.
  if (width !== o.width || height !== o.height || channels !== o.channels || out.data.byteLength !== width * height * channels) {
    throw new DataError(file, `decoded to ${height}x${width}x${channels}, expected ${o.height}x${o.width}x${o.channels}`);
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}
