// The pictures of a finished pipeline's report (issue 16 section 2): retrieval grids on the pretrained encoder's features h
// and on raw pixels, the UMAP map of test embeddings, label efficiency, and the confusion matrix of a model fixed in advance.
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { firstN, type Dataset } from '../../data/dataset.js';
import { loadDataSpec } from '../../data/spec.js';
import { fractionPercent, pixelFeatures, renderPictures, type FeatureRows, type LabelledImageSet, type PictureInput, type ResultRow } from '../../report/index.js';
import { tidy } from '../../tensor/index.js';
import { loadModel } from './predict.js';

/** Gallery images searched by the retrieval grids, at most (the first ones of the training split). */
export const GALLERY_LIMIT = 10_000;

export interface ReportPicturesOptions {
  /** The report's folder: pictures are written under <outDir>/pictures. */
  outDir: string;
  /** The run's data string: training split = gallery, test split = queries, map and confusion matrix. */
  data: string;
  skipBad?: boolean;
  /** Training images the pretraining used (0 = all); the gallery is the first min(trainLimit, galleryLimit) of them. */
  trainLimit: number;
  /** Test images every figure was computed on (0 = all). */
  evalLimit: number;
  /** Pretraining run folder: its last checkpoint gives the encoder features h. */
  pretrainDir: string;
  /** The confusion matrix's classifier: run folder (its last checkpoint is loaded), title, and the rule that chose it. */
  confusion: { runDir: string; title: string; rule: string };
  results: ResultRow[];
  /** Methods of the label-efficiency plot, in legend order. */
  methods: string[];
  /** Default GALLERY_LIMIT. */
  galleryLimit?: number;
  /** Points of the embedding map at most; default 2000. */
  maxPoints?: number;
  signal?: AbortSignal;
}

export interface ReportPictures {
  /** PNGs written under <outDir>/pictures, with caption and alt text, in report order. */
  pictures: PictureInput[];
  /** One line per picture that could not be drawn: which one and why. */
  failures: string[];
  wallS: number;
}

interface PictureData {
  gallery: Dataset & LabelledImageSet;
  test: Dataset & LabelledImageSet;
  classNames: readonly string[];
}

/** The first galleryLimit training images and the evalLimit test images, both labelled. */
async function pictureData(o: ReportPicturesOptions): Promise<PictureData> {
  const { train, test } = await loadDataSpec(o.data, { skipBad: o.skipBad, signal: o.signal });
  if (!test) throw new Error(`data ${o.data} has no test split`);
  if (!train.labels || !test.labels) throw new Error(`data ${o.data}: the training and test splits must both be labelled`);
  const n = Math.min(o.trainLimit > 0 ? o.trainLimit : train.length, o.galleryLimit ?? GALLERY_LIMIT);
  const labelled = (d: Dataset) => d as Dataset & LabelledImageSet;
  return { gallery: labelled(firstN(train, n)), test: labelled(firstN(test, o.evalLimit)), classNames: train.classNames };
}

/** Encoder features h of the gallery and test images, from the pretraining's last checkpoint. */
async function encoderFeatures(o: ReportPicturesOptions, d: PictureData): Promise<{ gallery: FeatureRows; test: FeatureRows }> {
  const model = await loadModel(o.pretrainDir);
  const rows = async (images: Dataset): Promise<FeatureRows> => {
    const { features } = await model.embed(images, { feature: 'h', signal: o.signal }); // (N, D)
    try {
      return { data: features.dataSync() as Float32Array, dim: features.shape[1] };
    } finally {
      features.dispose();
    }
  };
  try {
    return { gallery: await rows(d.gallery), test: await rows(d.test) };
  } finally {
    model.dispose();
  }
}

/** Predicted class of every test image by the confusion matrix's classifier (its last checkpoint). */
async function predictions(o: ReportPicturesOptions, d: PictureData): Promise<Int32Array> {
  const model = await loadModel(o.confusion.runDir);
  try {
    const { probabilities } = await model.predict(d.test, { signal: o.signal }); // (N, K)
    try {
      return Int32Array.from(tidy(() => probabilities.argmax(1).toFlatArray())); // (N,)
    } finally {
      probabilities.dispose();
    }
  } finally {
    model.dispose();
  }
}

/** Memoises an async step shared by several pictures: run once, its result (or its error) reused. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= fn());
}

type Drawable = Exclude<PictureInput, { kind: 'file' }>;

/** Each picture to draw: what it is (for a failure line), how to get its data, and text added after its caption. */
function plans(o: ReportPicturesOptions): Array<{ what: string; make: () => Promise<Drawable>; captionSuffix?: string }> {
  const data = once(() => pictureData(o));
  const encoder = once(async () => encoderFeatures(o, await data()));
  const grid = (d: PictureData, title: string, queryFeatures: FeatureRows, galleryFeatures: FeatureRows) =>
    ({ queries: d.test, queryFeatures, gallery: d.gallery, galleryFeatures, classNames: d.classNames, title });
  return [
    { what: 'retrieval grid (pretrained encoder)', make: async () => {
      const [d, f] = [await data(), await encoder()];
      return { kind: 'retrieval', file: 'retrieval-encoder.png', options: grid(d, 'Pretrained encoder (features h)', f.test, f.gallery) };
    } },
    { what: 'retrieval grid (raw pixels)', make: async () => {
      const d = await data();
      return { kind: 'retrieval', file: 'retrieval-pixels.png', options: grid(d, 'Raw pixels', pixelFeatures(d.test), pixelFeatures(d.gallery)) };
    } },
    { what: 'embedding map', make: async () => {
      const [d, f] = [await data(), await encoder()];
      const title = 'Test embeddings of the pretrained encoder (UMAP)';
      return { kind: 'embedding', file: 'embedding-map.png', options: { features: f.test, labels: d.test.labels, classNames: d.classNames, title, maxPoints: o.maxPoints } };
    } },
    { what: 'label-efficiency plot', make: async () => ({ kind: 'label-efficiency', file: 'label-efficiency.png', options: { methods: o.methods } }) },
    { what: `confusion matrix (${o.confusion.title})`, captionSuffix: o.confusion.rule, make: async () => {
      const d = await data();
      return { kind: 'confusion', file: 'confusion-matrix.png', options: { predictions: await predictions(o, d), labels: d.test.labels, classNames: d.classNames, title: o.confusion.title } };
    } },
  ];
}

/**
 * Draws every picture it can; a picture whose data or drawing fails is left out with a line saying why, so the report
 * (and the training results in it) is written all the same.
 */
export async function reportPictures(o: ReportPicturesOptions): Promise<ReportPictures> {
  const start = performance.now();
  const pictures: PictureInput[] = [];
  const failures: string[] = [];
  for (const p of plans(o)) {
    try {
      const [r] = await renderPictures([await p.make()], o.outDir, o.results);
      pictures.push({ kind: 'file', path: resolve(o.outDir, r.path), caption: p.captionSuffix ? `${r.caption} ${p.captionSuffix}` : r.caption, alt: r.alt });
    } catch (err) {
      failures.push(`${p.what}: ${(err as Error).message}`);
    }
  }
  return { pictures, failures, wallS: (performance.now() - start) / 1000 };
}

/** The label fraction with the largest share of labels (the last one when none reads as a fraction). */
export function largestFraction(fractions: string[]): string {
  if (fractions.length === 0) throw new RangeError('largestFraction: no label fractions');
  return fractions.reduce((best, f) => ((fractionPercent(f) ?? -1) > (fractionPercent(best) ?? -1) ? f : best), fractions[fractions.length - 1]);
}

/**
 * The rule that picks the confusion matrix's model before any test figure is seen: the self-distilled student at the
 * largest label fraction, on the first label subset. Choosing the best model by its test accuracy would select on the test set.
 */
export function confusionChoice(fractions: string[], seeds: number[], method: string): { fraction: string; seed: number; title: string; rule: string } {
  const fraction = largestFraction(fractions);
  const seed = seeds[0];
  return {
    fraction, seed, title: `${method}, ${fraction} labels, label seed ${seed}`,
    rule: `Model fixed by a rule set before any test figure (not chosen by test accuracy): the self-distilled student at the largest ` +
      `label fraction (${fraction}), first label subset (seed ${seed}), its last checkpoint.`,
  };
}
