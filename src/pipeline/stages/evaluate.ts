// Evaluation of a checkpoint on a split: top-1/top-5 of its classifier head, the linear probe on frozen encoder
// features (extracted once) and the weighted kNN, as one summary (written to summary.json given an out folder).
// Every phase checks an AbortSignal between chunks. Reference: SimCLR paper appendix B.6 (linear evaluation); Wu et al.
// 2018 (kNN monitor).
import { performance } from 'node:perf_hooks';
import { firstN, type Dataset } from '../../data/dataset.js';
import { loadDataSpec, type DataSplits } from '../../data/spec.js';
import { resolveSubset } from '../../data/subset.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import { dispose, setNumThreads } from '../../tensor/index.js';
import { checkInputShape, loadCheckpointModel } from './classifier_model.js';
import { extractFeatures, type FeatureKind } from './features.js';
import { checkDevice } from './device_check.js';
import { parseLabelsSpec } from './labels.js';
import { trainLinearProbe, type LinearProbeOptions } from '../../eval/linear_probe.js';
import { evaluateClassifier, evaluateKnn, knnBankSize } from './pretrain_eval.js';
import { RunFolder } from '../run/run_folder.js';

export interface LinearEvalOptions extends Omit<LinearProbeOptions, 'numClasses'> {
  /** Which output the probe reads: 'h' = encoder (default), k = after projection layer k. */
  feature?: 'h' | number;
  /** Train the probe on a labelled subset ('1%', '10%', 'N-per-class', FILE) instead of every training image. */
  labels?: string;
  labelSeed?: number;
}

export interface KnnEvalOptions {
  k?: number;
  temperature?: number;
}

export interface EvaluateOptions {
  /** A data string (e.g. 'fashion-mnist') or loaded splits. */
  data: string | DataSplits;
  /** The split scored (default 'test'). */
  split?: 'test' | 'train';
  /** Score only the first N images of the split (0 = all). */
  limit?: number;
  /** Use only the first N training images for the probe and the kNN bank (0 = all). */
  trainLimit?: number;
  /** Linear probe on frozen features (true = defaults). */
  linear?: boolean | LinearEvalOptions;
  /** Weighted kNN on encoder features (true = k 200, temperature 0.1). */
  knn?: boolean | KnnEvalOptions;
  /** From a run folder: its 'best' checkpoint rather than the newest. */
  preferBest?: boolean;
  /** Folder to write summary.json into (created; an existing summary is replaced). */
  out?: string;
  threads?: number;
  /** 'cpu' (default), 'cuda' or 'cuda:N': where the model, features and probe run. */
  device?: string;
  /** Checked between batches and solver iterations: once aborted, the evaluation rejects with its reason. */
  signal?: AbortSignal;
  /** Told as each long phase begins (e.g. 'kNN: bank of 60000 train images, 10000 queries'). */
  onPhase?: (message: string) => void;
}

export interface EvaluationSummary {
  stage: 'eval';
  checkpoint: string;
  /** The stage that wrote the checkpoint: pretrain, finetune, distill. */
  kind: string;
  split: 'test' | 'train';
  images: number;
  /** The checkpoint's own classifier head (null without one). */
  top1: number | null;
  top5: number | null;
  linear_top1?: number;
  linear_top5?: number;
  linear_train_top1?: number;
  linear_train_images?: number;
  linear_feature?: string;
  knn_top1?: number;
  knn_k?: number;
  /** Train images in the kNN bank (the first --train-limit, all when 0). */
  knn_train_images?: number;
  wall_s: number;
}


/** Top-1/top-5 of a checkpoint's classifier on a split, plus the linear probe and kNN when asked. */
export async function evaluateCheckpoint(path: string, o: EvaluateOptions): Promise<EvaluationSummary> {
  const start = performance.now();
  if (o.threads) setNumThreads(o.threads);
  if (o.device) checkDevice(o.device);
  const splits = typeof o.data === 'string' ? await loadDataSpec(o.data) : o.data;
  const split = o.split ?? 'test';
  const scored = splits[split];
  if (!scored) throw new Error(`evaluate: the data has no '${split}' split`);
  if (!scored.labels) throw new Error(`evaluate: ${scored.name} has no labels to score against`);
  const evalSet = firstN(scored, o.limit);
  const train = firstN(splits.train, o.trainLimit);
  const { model, sidecar, sidecarPath } = loadCheckpointModel(path, { preferBest: o.preferBest });
  try {
    model.to(o.device ?? 'cpu');
    checkInputShape(model.description, evalSet, `checkpoint ${sidecarPath}`);
    const hasHead = model.supervisedHead !== null && model.description.numClasses === evalSet.numClasses;
    const phase = o.onPhase ?? (() => {});
    if (hasHead) phase(`classifier: ${evalSet.length} ${split} images`);
    const head = hasHead ? await evaluateClassifier(model, evalSet, undefined, o.signal) : null;
    const summary: EvaluationSummary = {
      stage: 'eval', checkpoint: sidecarPath, kind: sidecar.kind, split, images: evalSet.length, top1: head?.top1 ?? null, top5: head?.top5 ?? null, wall_s: 0,
    };
    if (o.linear) Object.assign(summary, await linearEval(model, train, evalSet, { ...(o.linear === true ? {} : o.linear), signal: o.signal }, phase));
    if (o.knn) {
      const k = (o.knn === true ? undefined : o.knn.k) ?? 200;
      const temperature = (o.knn === true ? undefined : o.knn.temperature) ?? 0.1;
      summary.knn_train_images = knnBankSize(train, 0);
      phase(`kNN: bank of ${summary.knn_train_images} train images, ${evalSet.length} queries`);
      summary.knn_top1 = await evaluateKnn(model, train, evalSet, { k, temperature, trainLimit: 0, signal: o.signal });
      summary.knn_k = k;
    }
    summary.wall_s = (performance.now() - start) / 1000;
    if (o.out) RunFolder.open(o.out, { resume: true }).writeJson('summary.json', summary);
    return summary;
  } finally {
    model.dispose();
  }
}

/** Linear probe: features of the (labelled subset of the) train split and of the scored split, extracted once. */
async function linearEval(model: SimCLRModel, train: Dataset, scored: Dataset, o: LinearEvalOptions, phase: (message: string) => void): Promise<Partial<EvaluationSummary>> {
  if (!train.labels) throw new Error(`linear probe: ${train.name} has no labels to train on`);
  const indices = o.labels ? await resolveSubset(parseLabelsSpec(o.labels), train, { seed: o.labelSeed ?? 0 }) : undefined;
  const kind: FeatureKind = o.feature ?? 'h';
  phase(`linear probe: features of ${indices?.length ?? train.length} train and ${scored.length} scored images`);
  const a = await extractFeatures(model, train, kind, { indices, signal: o.signal });
  try {
    const b = await extractFeatures(model, scored, kind, { signal: o.signal });
    try {
      phase(`linear probe: fitting (${o.solver ?? 'lbfgs'})`);
      const r = await trainLinearProbe(a.features, a.labels!, b.features, b.labels!, { ...o, numClasses: train.numClasses });
      return { linear_top1: r.top1, linear_top5: r.top5, linear_train_top1: r.train_top1, linear_train_images: a.features.shape[0], linear_feature: String(kind) };
    } finally {
      dispose(b);
    }
  } finally {
    dispose(a);
  }
}
