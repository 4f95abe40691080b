// Batches for training and evaluation: per-epoch shuffling from the seed, drop-last, one or two augmented views,
// exact resume from {epoch, position}, and the time each batch kept the step waiting for data.
import { performance } from 'node:perf_hooks';
import { Generator, parseDevice, randperm, tidy, type Tensor } from '../tensor/index.js';
import { toFloatImages } from './augment.js';
import type { Dataset } from './dataset.js';

/** Turns a uint8 batch (B, C, H, W) into float model input with the given generator (e.g. simclrAugment). */
export type BatchTransform = (images: Tensor, generator: Generator) => Tensor;

export interface LoaderOptions {
  batchSize: number;
  seed: number;
  /** Shuffle every epoch (default true); epoch e's order depends only on (seed, e). */
  shuffle?: boolean;
  /** Drop the last incomplete batch (default: true with two views, as contrastive batches need a fixed size). */
  dropLast?: boolean;
  /** 2 = two independently augmented views per image (contrastive); 1 = one (default 1). */
  views?: 1 | 2;
  /** Applied to each view; default: uint8 -> float in [0, 1]. */
  transform?: BatchTransform;
  /** Restrict to these dataset indices (e.g. a label subset). */
  indices?: ArrayLike<number>;
  /**
   * Device the batch tensors are moved to (default: where the transform leaves them, CPU). A CUDA device gets them
   * through page-locked memory with an asynchronous copy, so the copy overlaps the GPU's work on the previous batch.
   */
  device?: string;
  /**
   * Data-parallel training: this process's share. batchSize is then the global batch; process `rank` of `size`
   * gets rows [rank * B / size, (rank + 1) * B / size) of each global batch of the shared (seed, epoch) order, so
   * the processes' shards are disjoint and together equal the single-process batch. Needs dropLast.
   */
  shard?: { rank: number; size: number };
}

export interface Batch {
  /** Two views (B, C, H, W) each, when views = 2. */
  views?: [Tensor, Tensor];
  /** The single transformed batch (B, C, H, W), when views = 1. */
  x?: Tensor;
  /** Labels (B,) int64, or null for unlabeled data. */
  labels: Tensor | null;
  /** Dataset indices of the batch's images. */
  indices: Int32Array;
  epoch: number;
  /** Batch number within the epoch. */
  position: number;
  /** Milliseconds spent preparing this batch (the step waited this long for data). */
  waitMs: number;
}

export interface LoaderState {
  epoch: number;
  position: number;
}

/** 53-bit seed mixed from (seed, stream, a, b) with splitmix64 steps, so streams never collide. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b97f4a7c15n;
  for (const part of parts) {
    h = (h ^ BigInt.asUintN(64, BigInt(Math.trunc(part)))) * 0xbf58476d1ce4e5b9n;
    h = BigInt.asUintN(64, h ^ (h >> 31n)) * 0x94d049bb133111ebn;
    h = BigInt.asUintN(64, h ^ (h >> 29n));
  }
  return Number(h >> 11n);
}

function checkShard(shard: { rank: number; size: number }, batchSize: number, dropLast: boolean): { rank: number; size: number } {
  const { rank, size } = shard;
  if (!(Number.isInteger(size) && size >= 1 && Number.isInteger(rank) && rank >= 0 && rank < size)) {
    throw new RangeError(`DataLoader: shard rank ${rank} of ${size} is not a valid rank in [0, size)`);
  }
  if (batchSize % size !== 0) throw new RangeError(`DataLoader: the global batch ${batchSize} does not split evenly over ${size} processes`);
  if (!dropLast) throw new RangeError('DataLoader: a sharded loader needs dropLast (every process must get a full share of each batch)');
  return { rank, size };
}

const ORDER_STREAM = 1;
const AUGMENT_STREAM = 2;

export class DataLoader {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly views: 1 | 2;
  #transform: BatchTransform;
  #indices: Int32Array;
  #device: string | undefined;
  #shard: { rank: number; size: number } | null;
  #generator = new Generator(0);
  #order: { epoch: number; order: Int32Array } | null = null;
  #state: LoaderState = { epoch: 0, position: 0 };
  #waitMs = 0;
  #batches = 0;

  constructor(dataset: Dataset, o: LoaderOptions) {
    if (!(Number.isInteger(o.batchSize) && o.batchSize > 0)) throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${o.batchSize}`);
    if (!Number.isSafeInteger(o.seed)) throw new RangeError(`DataLoader: seed must be a safe integer, got ${o.seed}`);
    this.dataset = dataset;
    this.batchSize = o.batchSize;
    this.seed = o.seed;
    this.shuffle = o.shuffle ?? true;
    this.views = o.views ?? 1;
    this.dropLast = o.dropLast ?? this.views === 2;
    this.#transform = o.transform ?? toFloatImages;
    this.#indices = o.indices ? Int32Array.from(o.indices) : Int32Array.from({ length: dataset.length }, (_, i) => i);
    this.#device = o.device;
    this.#shard = o.shard && o.shard.size > 1 ? checkShard(o.shard, this.batchSize, this.dropLast) : null;
    for (const i of this.#indices) if (i < 0 || i >= dataset.length) throw new RangeError(`DataLoader: index ${i} out of range [0, ${dataset.length}) of ${dataset.name}`);
    if (this.batchesPerEpoch === 0) throw new RangeError(`DataLoader: ${this.#indices.length} images make no batch of ${this.batchSize} with dropLast`);
  }

  get size(): number {
    return this.#indices.length;
  }

  get batchesPerEpoch(): number {
    const n = this.#indices.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Where the next batch comes from; save it with a checkpoint. */
  state(): LoaderState {
    return { ...this.#state };
  }

  /** Continues from a saved state: the following batches equal those an uninterrupted run would have produced. */
  setState(s: LoaderState): void {
    if (!(Number.isInteger(s.epoch) && s.epoch >= 0 && Number.isInteger(s.position) && s.position >= 0 && s.position <= this.batchesPerEpoch)) {
      throw new RangeError(`DataLoader.setState: bad state ${JSON.stringify(s)} (${this.batchesPerEpoch} batches per epoch)`);
    }
    this.#state = { ...s };
  }

  /** The dataset indices of epoch e in visiting order. */
  epochOrder(epoch: number): Int32Array {
    if (this.#order?.epoch === epoch) return this.#order.order;
    let order = this.#indices;
    if (this.shuffle) {
      this.#generator.manualSeed(mixSeed(this.seed, ORDER_STREAM, epoch));
      const perm = tidy(() => randperm(order.length, { generator: this.#generator }).to('int32').dataSync() as Int32Array);
      order = perm.map((k) => this.#indices[k]);
    }
    this.#order = { epoch, order };
    return order;
  }

  /** The next batch, moving on to the next epoch after the last one. Tensors belong to the caller's scope. */
  next(): Batch {
    if (this.#state.position >= this.batchesPerEpoch) this.#state = { epoch: this.#state.epoch + 1, position: 0 };
    const { epoch, position } = this.#state;
    const start = performance.now();
    const order = this.epochOrder(epoch);
    let indices = order.slice(position * this.batchSize, Math.min(order.length, (position + 1) * this.batchSize));
    if (this.#shard) {
      const per = this.batchSize / this.#shard.size;
      indices = indices.slice(this.#shard.rank * per, (this.#shard.rank + 1) * per);
    }
    // Each shard draws its own augmentations; a single process keeps the stream it always had.
    this.#generator.manualSeed(this.#shard ? mixSeed(this.seed, AUGMENT_STREAM, epoch, position, this.#shard.rank) : mixSeed(this.seed, AUGMENT_STREAM, epoch, position));
    const batch = tidy(() => this.#make(indices));
    const waitMs = performance.now() - start;
    this.#state = { epoch, position: position + 1 };
    this.#waitMs += waitMs;
    this.#batches += 1;
    return { ...batch, indices, epoch, position, waitMs };
  }

  #make(indices: Int32Array): Pick<Batch, 'views' | 'x' | 'labels'> {
    const images = this.dataset.getBatch(indices); // (B, C, H, W) uint8
    const move = (t: Tensor) => moveBatch(t, this.#device);
    const labels = this.dataset.labels ? move(this.dataset.getLabels(indices)) : null;
    if (this.views === 2) {
      const views: [Tensor, Tensor] = [move(this.#transform(images, this.#generator)), move(this.#transform(images, this.#generator))];
      return { views, labels };
    }
    return { x: move(this.#transform(images, this.#generator)), labels };
  }

  /** Yields the remaining batches of the current epoch (all of it when at its start). */
  *epoch(): IterableIterator<Batch> {
    if (this.#state.position >= this.batchesPerEpoch) this.#state = { epoch: this.#state.epoch + 1, position: 0 };
    const epoch = this.#state.epoch;
    while (this.#state.epoch === epoch && this.#state.position < this.batchesPerEpoch) yield this.next();
  }

  /** Batches served and total / mean milliseconds spent waiting for them. */
  waitStats(): { batches: number; totalMs: number; meanMs: number } {
    return { batches: this.#batches, totalMs: this.#waitMs, meanMs: this.#batches ? this.#waitMs / this.#batches : 0 };
  }
}

/** A batch tensor on `device`: unchanged without one, pinned and copied asynchronously to a CUDA device. */
function moveBatch(t: Tensor, device: string | undefined): Tensor {
  if (!device || device === t.device) return t;
  return parseDevice(device, 'DataLoader device').type === 'cuda' ? t.pinMemory().to(device, { nonBlocking: true }) : t.to(device);
}
