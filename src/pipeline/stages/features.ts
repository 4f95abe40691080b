// Extracts features or logits of a whole dataset with a model in eval mode, in batches, without gradients:
// the input of kNN monitoring, linear probes and evaluation. Yields between batches, so a stop request is honoured.
import type { Dataset } from '../../data/dataset.js';
import { DataLoader } from '../../data/loader.js';
import { evalTransform } from '../../data/augment.js';
import type { SimCLRModel } from '../../models/simclr_model.js';
import { noGrad, cat, keep, tidy, type Tensor, yieldToEventLoop } from '../../tensor/index.js';

export type FeatureKind = 'h' | 'z' | 'logits' | number;

export interface ExtractOptions {
  /** Images per forward pass (default 128: a few seconds at most between stop checks, even for a ResNet-50). */
  batchSize?: number;
  /** Dataset indices to use (default all). */
  indices?: ArrayLike<number>;
  /** Where the batches go (default: the model's device); the outputs stay there. */
  device?: string;
  /** Checked between batches: once aborted, the extraction rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * Runs the model over the dataset (eval transform, eval mode, no grad) and returns the chosen output for every image,
 * in dataset order, plus labels when known. `kind`: 'h' encoder features, 'z' last projection, 'logits', or k = projections[k].
 * The model's train/eval mode is restored afterwards. The caller owns the returned tensors.
 */
export async function extractFeatures(model: SimCLRModel, dataset: Dataset, kind: FeatureKind, o: ExtractOptions = {}): Promise<{ features: Tensor; labels: Tensor | null }> {
  const wasTraining = model.training;
  model.eval();
  const loader = new DataLoader(dataset, {
    batchSize: o.batchSize ?? 128, seed: 0, shuffle: false, dropLast: false, views: 1, indices: o.indices, device: o.device ?? model.device,
    transform: (x) => evalTransform(x),
  });
  const parts: Tensor[] = [];
  const labelParts: Tensor[] = [];
  try {
    for (let b = 0; b < loader.batchesPerEpoch; b++) {
      await yieldToEventLoop(o.signal);
      const batch = loader.next();
      parts.push(keep(tidy(() => noGrad(() => select(model.forward(batch.x!), kind)))));
      if (batch.labels) labelParts.push(keep(batch.labels));
      batch.x!.dispose();
    }
    return tidy(() => ({ features: cat(parts, 0), labels: labelParts.length ? cat(labelParts, 0) : null }));
  } finally {
    for (const t of [...parts, ...labelParts]) t.dispose();
    model.train(wasTraining);
  }
}

function select(out: ReturnType<SimCLRModel['forward']>, kind: FeatureKind): Tensor {
  if (kind === 'h') return out.h;
  if (kind === 'z') return out.z;
  if (kind === 'logits') {
    if (!out.logits) throw new Error('extractFeatures: the model has no supervised head to give logits');
    return out.logits;
  }
  if (kind < 0 || kind >= out.projections.length) throw new RangeError(`extractFeatures: projection ${kind} out of range (0..${out.projections.length - 1})`);
  return out.projections[kind];
}
