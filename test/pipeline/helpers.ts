// Test helpers for the supervised stages: temporary run folders, a small "pretraining" checkpoint written without
// training (random, perturbed weights, so equal values cannot come from a fresh initialisation), and result readers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../src/models/simclr_model.js';
import { saveCheckpoint } from '../../src/pipeline/run/checkpoint.js';
import { pretrainPresets, validatePretrainConfig } from '../../src/pipeline/config/pretrain_config.js';
import { modelDescriptionFor } from '../../src/pipeline/stages/pretrain_setup.js';
import { RunFolder } from '../../src/pipeline/run/run_folder.js';
import { loadSafetensors, manualSeed, noGrad, randn, rand, tidy, type Tensor } from '../../src/tensor/index.js';
import type { Dataset } from '../../src/data/dataset.js';
import { FASHION_MNIST_CLASSES } from '../../src/data/idx.js';
import { classifierFrom } from '../../src/pipeline/stages/classifier_model.js';

export function tempDir(prefix = 'simclr-stage-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Fashion-MNIST's shape, enough for modelDescriptionFor. */
const FASHION_SHAPE = { channels: 1, height: 28, width: 28, labels: new Int32Array(0), numClasses: 10 } as unknown as Dataset;

/**
 * Writes a pretraining checkpoint of the 'tiny' preset's architecture (ResNet-18 x0.125, 3 projection layers) to
 * `dir` without training; every float weight and statistic is perturbed. Returns the sidecar path.
 */
export function writePretrainCheckpoint(dir: string, seed = 7): string {
  manualSeed(seed);
  const config = validatePretrainConfig({ ...pretrainPresets.tiny });
  const model = buildModel(modelDescriptionFor(config, FASHION_SHAPE));
  try {
    noGrad(() => {
      for (const [name, t] of model.stateDict()) {
        if (t.dtype !== 'float32') continue;
        tidy(() => (name.endsWith('running_var') ? t.mul_(rand(t.shape).add(0.5)) : t.add_(randn(t.shape).mul(0.05))));
      }
    });
    return saveCheckpoint(RunFolder.open(dir), { kind: 'pretrain', step: 0, model, description: model.description, extra: {} });
  } finally {
    model.dispose();
  }
}

/**
 * Writes a 'finetune' checkpoint (classifier on projection layer 1 of a pretraining checkpoint, Fashion-MNIST's 10
 * class names) without training; the head is scaled up so that predictions are not uniform. Returns the sidecar path.
 */
export function writeFinetuneCheckpoint(dir: string, pretrain: string): string {
  const { model } = classifierFrom(pretrain, () => {
    throw new Error('unreachable');
  }, { numClasses: 10, ftProjSelector: 1, zeroInitLogits: false, fineTuneAfterBlock: -1, headWeightDecay: false });
  try {
    noGrad(() => tidy(() => model.supervisedHead!.weight.add_(randn(model.supervisedHead!.weight.shape).mul(0.5))));
    return saveCheckpoint(RunFolder.open(dir), { kind: 'finetune', step: 0, model, description: model.description, extra: { classNames: FASHION_MNIST_CLASSES } });
  } finally {
    model.dispose();
  }
}

/** Weights of a checkpoint's .safetensors file by name, as plain arrays. */
export function checkpointValues(sidecarPath: string): Map<string, number[]> {
  const { tensors } = loadSafetensors(sidecarPath.replace(/\.json$/, '.safetensors'));
  const out = new Map([...tensors].map(([k, t]) => [k, t.toFlatArray()]));
  for (const t of tensors.values()) t.dispose();
  return out;
}

export function valuesOf(tensors: Iterable<[string, Tensor]>): Map<string, number[]> {
  return new Map([...tensors].map(([k, t]) => [k, t.toFlatArray()]));
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Step records (with a loss) of a run folder's metrics.jsonl, in order. */
export function stepLosses(dir: string): Array<[number, number]> {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((r) => typeof r.loss === 'number').map((r) => [r.step, r.loss]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
