// Classifier models of the supervised stages: a checkpoint's model rebuilt with its weights, and one code path that
// turns a pretrained or a fresh model into a classifier (keep projection layers 1..k, new head, freezing).
// Reference: paper section 2 (fine-tuning from the middle of the projection head); tf2/model.py SupervisedHead.
import { buildModel, type SimCLRModel } from '../../models/simclr_model.js';
import { resolveSelector, type ModelDescription, type ModelDescriptionInput } from '../../models/description.js';
import { dispose } from '../../tensor/index.js';
import { loadCheckpoint, type CheckpointSidecar } from '../run/checkpoint.js';
import type { ArchitectureConfig } from '../config/stage_config.js';

export interface CheckpointModel {
  model: SimCLRModel;
  sidecar: CheckpointSidecar<ModelDescriptionInput, Record<string, unknown>>;
  sidecarPath: string;
}

/** Rebuilds the model of a checkpoint (sidecar, weights file or run folder) and loads its weights. */
export function loadCheckpointModel(path: string, options: { preferBest?: boolean } = {}): CheckpointModel {
  const { sidecar, weights, sidecarPath } = loadCheckpoint<ModelDescriptionInput, Record<string, unknown>>(path, options);
  let model: SimCLRModel | null = null;
  try {
    model = buildModel(sidecar.model);
    model.loadStateDict(weights);
    return { model, sidecar, sidecarPath };
  } catch (err) {
    model?.dispose();
    throw new Error(`checkpoint ${sidecarPath}: cannot rebuild its model: ${(err as Error).message}`);
  } finally {
    dispose([...weights.values()]);
  }
}

/** The input images a model expects, checked against a dataset's. */
export function checkInputShape(d: ModelDescription, data: { channels: number; height: number; width: number; name: string }, what: string): void {
  if (d.inChannels !== data.channels) {
    throw new Error(`${what} takes ${d.inChannels}-channel images but ${data.name} has ${data.channels} channel(s)`);
  }
}

/** Description of a model built from scratch: `arch` over `base` (e.g. a teacher's), for images of the given shape. */
export function scratchDescription(arch: ArchitectureConfig, input: { channels: number; size: number }, base?: ModelDescription): ModelDescriptionInput {
  const layers = arch.numProjLayers ?? base?.projHead.numLayers ?? 3;
  const hiddenDim = arch.projHiddenDim ?? base?.projHead.hiddenDim;
  return {
    depth: arch.depth ?? base?.depth ?? 50,
    widthMultiplier: arch.widthMultiplier ?? base?.widthMultiplier ?? 1,
    skRatio: arch.skRatio ?? base?.skRatio ?? 0,
    seRatio: arch.seRatio ?? base?.seRatio ?? 0,
    stem: arch.stem ?? base?.stem,
    inChannels: input.channels,
    imageSize: input.size,
    projHead: layers === 0 ? { mode: 'none' } : {
      mode: 'nonlinear', numLayers: layers, outDim: arch.projOutDim ?? base?.projHead.outDim ?? 128, ...(hiddenDim === undefined ? {} : { hiddenDim }),
    },
    bnMomentum: arch.bnMomentum ?? base?.bnMomentum ?? 0.1,
    zeroInitResidual: arch.zeroInitResidual ?? base?.zeroInitResidual ?? true,
  };
}

export interface ClassifierOptions {
  numClasses: number;
  /** Projection layers kept under the head: 0 = encoder output, k = after layer k, -1 = all. */
  ftProjSelector: number;
  zeroInitLogits: boolean;
  /** Freeze the stem and blocks 1..k (-1 = train everything). */
  fineTuneAfterBlock: number;
  /** Weight-decay the new head too (off by default, as the official code). */
  headWeightDecay: boolean;
}

/**
 * Turns `model` (pretrained or fresh) into a classifier in place: keeps projection layers 1..k with their weights, puts a
 * new supervised head on layer k, and freezes blocks up to fineTuneAfterBlock. The same path serves every stage.
 */
export function makeClassifier(model: SimCLRModel, o: ClassifierOptions, source: string): SimCLRModel {
  let k: number;
  try {
    k = resolveSelector(o.ftProjSelector, model.projectionHead.layers.length);
  } catch (err) {
    throw new RangeError(`ftProjSelector ${o.ftProjSelector}: ${source} has ${model.projectionHead.layers.length} projection layer(s): ${(err as Error).message}`);
  }
  model.cutProjectionHead(k).setSupervisedHead(o.numClasses, { zeroInit: o.zeroInitLogits }).setFineTuneAfterBlock(o.fineTuneAfterBlock);
  for (const p of model.supervisedHead!.parameters()) p.weightDecay = o.headWeightDecay;
  return model;
}

/** A classifier from a pretraining checkpoint, or from scratch when `from` is absent: one code path for both. */
export function classifierFrom(from: string | undefined, scratch: () => ModelDescriptionInput, o: Omit<ClassifierOptions, 'ftProjSelector'> & { ftProjSelector?: number }): { model: SimCLRModel; source: string } {
  const loaded = from === undefined ? null : loadCheckpointModel(from);
  const model = loaded ? loaded.model : buildModel(scratch());
  const source = loaded ? `checkpoint ${loaded.sidecarPath}` : 'the model built from scratch';
  const selector = o.ftProjSelector ?? (loaded ? Math.min(1, model.projectionHead.layers.length) : 0);
  try {
    return { model: makeClassifier(model, { ...o, ftProjSelector: selector }, source), source };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
