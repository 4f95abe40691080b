// On-disk cache of decoded uint8 images so an image folder is decoded once, not every run.
// Layout: 'SIMCLRU8' | uint32 LE header length | JSON header | N*H*W*C pixel bytes. Written atomically.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadFile } from './errors.js';

const MAGIC = 'SIMCLRU8';
const VERSION = 1;

export interface CachedImages {
  key: string;
  height: number;
  width: number;
  channels: number;
  files: string[];
  labels: number[] | null;
  classNames: string[];
  badFiles: BadFile[];
  images: Uint8Array;
}

/** A key that changes when any source file, its size or mtime, or the decode settings change. */
export async function cacheKey(files: readonly string[], settings: object): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify({ version: VERSION, settings }));
  for (const file of files) {
    const s = await stat(file).catch(() => null); // unreadable files still count, as 'missing'
    hash.update(s ? `${file}\0${s.size}\0${s.mtimeMs}\n` : `${file}\0missing\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

export function cachePath(dir: string, key: string): string {
  return join(dir, `${key}.u8cache`);
}

/** The cached images for `key`, or null when missing, stale or unreadable. */
export async function readCache(dir: string, key: string): Promise<CachedImages | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(cachePath(dir, key));
  } catch {
    return null;
  }
  if (bytes.length < 12 || bytes.subarray(0, 8).toString('latin1') !== MAGIC) return null;
  const headerLength = bytes.readUInt32LE(8);
  let header: Omit<CachedImages, 'images'> & { version: number };
  try {
    header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8'));
  } catch {
    return null;
  }
  const images = bytes.subarray(12 + headerLength);
  const expected = header.files.length * header.height * header.width * header.channels;
  if (header.version !== VERSION || header.key !== key || images.length !== expected) return null;
  return { ...header, images: new Uint8Array(images.buffer, images.byteOffset, images.byteLength) };
}

export async function writeCache(dir: string, entry: CachedImages): Promise<string> {
  await mkdir(dir, { recursive: true });
  const { images, ...rest } = entry;
  const header = Buffer.from(JSON.stringify({ version: VERSION, ...rest }), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  const path = cachePath(dir, entry.key);
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    for (const part of [prefix, header, images]) await handle.writeFile(part); // each call writes all of part
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  return path;
}
