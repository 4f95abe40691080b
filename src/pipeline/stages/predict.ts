// Inference with a checkpoint: features (embed) or class probabilities (predict) for a folder of images, a dataset or
// an image tensor, in batches under no-grad in eval mode; the library form is `const m = await loadModel(path)`.
import type { Dataset } from '../../data/dataset.js';
import { evalTransform } from '../../data/augment.js';
import { imageFolder } from '../../data/folder.js';
import type { ModelDescription } from '../../models/description.js';
import type { SimCLRModel, SimCLROutput } from '../../models/simclr_model.js';
import { noGrad, F, cat, keep, tidy, Tensor, yieldToEventLoop } from '../../tensor/index.js';
import { loadCheckpointModel } from './classifier_model.js';
import { checkDevice } from './device_check.js';
import { outputFormat, writeJson, writeJsonLines, writeNpy } from '../run/outputs.js';

/** A folder of images (read unlabeled, recursively), a dataset, or images (N, C, H, W): uint8, or float in [0, 1]. */
export type ImageInput = string | Dataset | Tensor;

export interface BatchOptions {
  /** Images per forward pass (default 256). */
  batchSize?: number;
  /** Checked between batches: once aborted, the pass rejects with its reason and nothing is returned. */
  signal?: AbortSignal;
  /** Told the images done so far: (0, total) once the images are read, then after every batch. */
  onProgress?: (done: number, total: number) => void;
  /** A folder input: leave out unreadable images (a warning lists them; `files` then names the rows) instead of failing. */
  skipBad?: boolean;
}

export interface EmbedOptions extends BatchOptions {
  /** 'h' = encoder output (default), 'z' = last projection, k = after projection layer k. */
  feature?: 'h' | 'z' | number;
}

export interface Embeddings {
  /** (N, D); the caller owns (and disposes) it. */
  features: Tensor;
  /** Source file of each row, for folder inputs. */
  files: string[] | null;
}

export interface Predictions {
  /** (N, numClasses) softmax probabilities; the caller owns (and disposes) it. */
  probabilities: Tensor;
  files: string[] | null;
  classNames: string[] | null;
}

interface Source {
  length: number;
  files: string[] | null;
  /** Images start..start+n as (n, C, H, W), uint8 or float. */
  batch(start: number, n: number): Tensor;
}

export interface LoadOptions {
  /** Load the `best` checkpoint of a run folder when it has one (default: the latest). */
  preferBest?: boolean;
  /** 'cpu' (default), 'cuda' or 'cuda:N'. */
  device?: string;
}

export class LoadedModel {
  private constructor(readonly model: SimCLRModel, readonly path: string, readonly kind: string, readonly classNames: string[] | null) {}

  /**
   * Loads a checkpoint (sidecar, weights file or run folder) for inference: eval mode, no gradients, on `device`
   * (default CPU; the outputs always come back on the CPU).
   */
  static load(path: string, options: LoadOptions = {}): LoadedModel {
    if (options.device) checkDevice(options.device);
    const { model, sidecar, sidecarPath } = loadCheckpointModel(path, options);
    model.requiresGrad_(false).eval().to(options.device ?? 'cpu');
    const names = sidecar.extra?.classNames;
    return new LoadedModel(model, sidecarPath, sidecar.kind, Array.isArray(names) && names.length ? (names as string[]) : null);
  }

  get description(): ModelDescription {
    return this.model.description;
  }

  /** Features of every image, in input order. */
  async embed(images: ImageInput, o: EmbedOptions = {}): Promise<Embeddings> {
    const source = await this.#source(images, o.skipBad);
    const feature = o.feature ?? 'h';
    const features = await this.#run(source, o, (out) => pickFeature(out, feature));
    return { features, files: source.files };
  }

  /** Class probabilities of every image, in input order. */
  async predict(images: ImageInput, o: BatchOptions = {}): Promise<Predictions> {
    if (!this.model.supervisedHead) {
      throw new Error(`checkpoint ${this.path} has no classifier head (a ${this.kind} checkpoint): use embed, or fine-tune it first`);
    }
    const source = await this.#source(images, o.skipBad);
    const probabilities = await this.#run(source, o, (out) => F.softmax(out.logits!, 1));
    return { probabilities, files: source.files, classNames: this.classNames };
  }

  dispose(): void {
    this.model.dispose();
  }

  async #source(images: ImageInput, skipBad = false): Promise<Source> {
    const d = this.model.description;
    if (images instanceof Tensor) return tensorSource(images, d.inChannels);
    const data = typeof images === 'string'
      ? await imageFolder({ root: images, size: d.imageSize, channels: d.inChannels as 1 | 3, labeled: false, skipBad })
      : images;
    if (data.channels !== d.inChannels) throw new Error(`${data.name}: ${data.channels}-channel images, but checkpoint ${this.path} takes ${d.inChannels}`);
    return {
      length: data.length, files: data.files ? [...data.files] : null,
      batch: (start, n) => data.getBatch(Int32Array.from({ length: n }, (_, i) => start + i)),
    };
  }

  async #run(source: Source, { batchSize = 256, signal, onProgress }: BatchOptions, head: (out: SimCLROutput) => Tensor): Promise<Tensor> {
    if (source.length === 0) throw new RangeError(`checkpoint ${this.path}: no images to run`);
    const parts: Tensor[] = [];
    try {
      onProgress?.(0, source.length);
      for (let start = 0; start < source.length; start += batchSize) {
        await yieldToEventLoop(signal); // finalizers and signal handlers run between batches
        const n = Math.min(batchSize, source.length - start);
        const device = this.model.device;
        parts.push(keep(tidy(() => noGrad(() => head(this.model.forward(evalTransform(source.batch(start, n).to(device)))).to('cpu'))))); // (n, D)
        onProgress?.(start + n, source.length);
      }
      return keep(tidy(() => cat(parts, 0))); // (N, D)
    } finally {
      for (const t of parts) t.dispose();
    }
  }
}

function tensorSource(images: Tensor, channels: number): Source {
  if (images.ndim !== 4 || images.shape[1] !== channels) {
    throw new RangeError(`images must be (N, ${channels}, H, W) for this checkpoint, got [${images.shape}]`);
  }
  return { length: images.shape[0], files: null, batch: (start, n) => images.narrow(0, start, n) };
}

function pickFeature(out: SimCLROutput, feature: 'h' | 'z' | number): Tensor {
  if (feature === 'h') return out.h;
  if (feature === 'z') return out.z;
  if (!Number.isInteger(feature) || feature < 0 || feature >= out.projections.length) {
    throw new RangeError(`feature ${feature}: this model has projections 0..${out.projections.length - 1} (0 = encoder output)`);
  }
  return out.projections[feature];
}

/** Loads a checkpoint for inference: `const m = await loadModel(path); const p = await m.predict(images)`. */
export async function loadModel(path: string, options: LoadOptions = {}): Promise<LoadedModel> {
  return LoadedModel.load(path, options);
}

/** Features of images with a checkpoint (loaded, used and freed). */
export async function embed(checkpoint: string, images: ImageInput, o: EmbedOptions & LoadOptions = {}): Promise<Embeddings> {
  const m = LoadedModel.load(checkpoint, o);
  try {
    return await m.embed(images, o);
  } finally {
    m.dispose();
  }
}

/** Class probabilities of images with a classifier checkpoint (loaded, used and freed). */
export async function predict(checkpoint: string, images: ImageInput, o: BatchOptions & LoadOptions = {}): Promise<Predictions> {
  const m = LoadedModel.load(checkpoint, o);
  try {
    return await m.predict(images, o);
  } finally {
    m.dispose();
  }
}

/** The sidecar of a .npy output: which file each row is and, for predictions, which class each column is. */
export function npyRowsPath(path: string): string {
  return `${path}.json`;
}

/**
 * Writes embeddings as .npy (N, D) float32 plus `<out>.npy.json` ({rows, files}), or .jsonl ({index, file, embedding}
 * per line), by extension.
 */
export function writeEmbeddings(path: string, e: Embeddings): void {
  if (outputFormat(path) === 'npy') {
    writeNpy(path, e.features);
    return writeJson(npyRowsPath(path), { rows: e.features.shape[0], files: e.files });
  }
  const rows = e.features.toArray() as number[][];
  writeJsonLines(path, rows.map((embedding, index) => ({ index, ...(e.files ? { file: e.files[index] } : {}), embedding })));
}

/**
 * Writes predictions as .npy (N, K) probabilities plus `<out>.npy.json` ({rows, files, class_names}: column k is class
 * class_names[k]), or .jsonl ({index, file, label, class, confidence, probabilities}: `class` is the name of class
 * `label` when the checkpoint knows its class names).
 */
export function writePredictions(path: string, p: Predictions): void {
  if (outputFormat(path) === 'npy') {
    writeNpy(path, p.probabilities);
    return writeJson(npyRowsPath(path), { rows: p.probabilities.shape[0], files: p.files, class_names: p.classNames });
  }
  const rows = p.probabilities.toArray() as number[][];
  writeJsonLines(path, rows.map((probabilities, index) => {
    const label = probabilities.indexOf(Math.max(...probabilities));
    return {
      index, ...(p.files ? { file: p.files[index] } : {}), label, ...(p.classNames ? { class: p.classNames[label] } : {}),
      confidence: probabilities[label], probabilities,
    };
  }));
}
