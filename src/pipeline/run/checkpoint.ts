// Crash-safe checkpoints in a run folder. One checkpoint is three files written in this order:
//   checkpoints/step-NNNNNNN.safetensors        model weights only, PyTorch names (loads with safetensors.torch)
//   checkpoints/step-NNNNNNN.train.safetensors  optimiser tensors and random-generator states
//   checkpoints/step-NNNNNNN.json               sidecar: model description, step, optimiser JSON state, extra
// Each file is atomic (temp + rename); the sidecar is written last, so a checkpoint counts only once complete.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Module } from '../../nn/module.js';
import type { Optimizer, OptimizerMeta, GroupOptions } from '../../optim/optimizer.js';
import { tensor, getRngState, setRngState, type Generator, loadSafetensors, saveSafetensors, dispose, type Tensor } from '../../tensor/index.js';
import { writeTextAtomic, type RunFolder } from './run_folder.js';

export const CHECKPOINT_FORMAT = 'simclr-ts/1';

export interface CheckpointSidecar<D = unknown, E = unknown> {
  format: string;
  /** Which stage wrote it: pretrain, finetune, distill, supervised. */
  kind: string;
  step: number;
  /** Plain-data model description: enough to rebuild the model. */
  model: D;
  optimizer: OptimizerMeta | null;
  /** Names of the generators saved ('global' is libtorch's default generator). */
  generators: string[];
  /** Stage-specific state (epoch, loader position, best accuracy, ...). */
  extra: E;
  files: { weights: string; train: string };
  savedAt: string;
}

export interface SaveCheckpointOptions<D, E> {
  kind: string;
  step: number;
  model: Module;
  description: D;
  optimizer?: Optimizer<GroupOptions> | null;
  /** Independent generators to save beside the global one. */
  generators?: Record<string, Generator>;
  extra: E;
  /** Keep at most this many checkpoints (oldest removed first); 0 = keep all. */
  keep?: number;
  /** Also save under this name (e.g. 'best'), outside the rotation. */
  alias?: string;
  /** Further training-state tensors (e.g. an EMA model, a memory queue), stored as `extra.<name>`. */
  extraTensors?: Map<string, Tensor>;
}

const stem = (step: number) => `step-${String(step).padStart(7, '0')}`;

export function checkpointDir(folder: RunFolder): string {
  return folder.path('checkpoints');
}

/** Writes a complete checkpoint and prunes old ones. Returns the sidecar path. */
export function saveCheckpoint<D, E>(folder: RunFolder, o: SaveCheckpointOptions<D, E>): string {
  const dir = checkpointDir(folder);
  mkdirSync(dir, { recursive: true });
  const name = o.alias ?? stem(o.step);
  const weights = `${name}.safetensors`;
  const train = `${name}.train.safetensors`;
  saveSafetensors(join(dir, weights), o.model.stateDict(), { format: CHECKPOINT_FORMAT, kind: o.kind, step: String(o.step), model: JSON.stringify(o.description) });
  const state = o.optimizer ? o.optimizer.stateDict() : null;
  const trainTensors = new Map<string, Tensor>();
  try {
    for (const [key, t] of state?.tensors ?? []) trainTensors.set(`optimizer.${key}`, t);
    const extras = [...(o.extraTensors ?? [])].map(([key, t]) => [`extra.${key}`, t] as const);
    trainTensors.set('generator.global', tensor(getRngState()));
    for (const [genName, gen] of Object.entries(o.generators ?? {})) trainTensors.set(`generator.${genName}`, tensor(gen.getState()));
    saveSafetensors(join(dir, train), new Map([...trainTensors, ...extras]), { format: CHECKPOINT_FORMAT });
  } finally {
    dispose([...trainTensors.values()]);
  }
  const sidecar: CheckpointSidecar<D, E> = {
    format: CHECKPOINT_FORMAT, kind: o.kind, step: o.step, model: o.description, optimizer: state?.meta ?? null,
    generators: ['global', ...Object.keys(o.generators ?? {})], extra: o.extra, files: { weights, train }, savedAt: new Date().toISOString(),
  };
  const sidecarPath = join(dir, `${name}.json`);
  writeTextAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  if (!o.alias && o.keep) pruneCheckpoints(dir, o.keep);
  return sidecarPath;
}

/** Complete rotating checkpoints (sidecar and both tensor files present), oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^step-\d+\.json$/.test(f))
    .sort()
    .map((f) => join(dir, f))
    .filter((p) => existsSync(p.replace(/\.json$/, '.safetensors')) && existsSync(p.replace(/\.json$/, '.train.safetensors')));
}

function pruneCheckpoints(dir: string, keep: number): void {
  const all = listCheckpoints(dir);
  for (const sidecar of all.slice(0, Math.max(0, all.length - keep))) {
    rmSync(sidecar); // sidecar first: a half-pruned checkpoint is never taken for a complete one
    rmSync(sidecar.replace(/\.json$/, '.safetensors'), { force: true });
    rmSync(sidecar.replace(/\.json$/, '.train.safetensors'), { force: true });
  }
}

export function latestCheckpoint(folder: RunFolder): string | null {
  const all = listCheckpoints(checkpointDir(folder));
  return all.length ? all[all.length - 1] : null;
}

export interface LoadedCheckpoint<D, E> {
  sidecar: CheckpointSidecar<D, E>;
  /** Model weights by PyTorch name; the caller owns (and disposes) them. */
  weights: Map<string, Tensor>;
  sidecarPath: string;
}

/**
 * Reads a checkpoint's sidecar and weights. `path` is a sidecar (.json), a weights file (.safetensors) or a run
 * folder (its newest checkpoint, or 'best' when `preferBest`).
 */
export function loadCheckpoint<D = unknown, E = unknown>(path: string, options: { preferBest?: boolean } = {}): LoadedCheckpoint<D, E> {
  const sidecarPath = resolveSidecar(path, options.preferBest ?? false);
  let sidecar: CheckpointSidecar<D, E>;
  try {
    sidecar = JSON.parse(readText(sidecarPath));
  } catch (err) {
    throw new Error(`checkpoint ${sidecarPath}: cannot read sidecar: ${(err as Error).message}`);
  }
  if (sidecar.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint ${sidecarPath}: unknown format '${sidecar.format}' (expected ${CHECKPOINT_FORMAT})`);
  const { tensors } = loadSafetensors(join(dirname(sidecarPath), sidecar.files.weights));
  return { sidecar, weights: tensors, sidecarPath };
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

function resolveSidecar(path: string, preferBest: boolean): string {
  if (!existsSync(path)) throw new Error(`checkpoint not found: ${path}`);
  if (path.endsWith('.json')) return path;
  if (path.endsWith('.safetensors')) return path.replace(/(\.train)?\.safetensors$/, '.json');
  const dir = existsSync(join(path, 'checkpoints')) ? join(path, 'checkpoints') : path;
  if (preferBest && existsSync(join(dir, 'best.json'))) return join(dir, 'best.json');
  const all = listCheckpoints(dir);
  if (!all.length) throw new Error(`no complete checkpoint in ${dir} (looked for step-*.json with both .safetensors files)`);
  return all[all.length - 1];
}

/**
 * Restores optimiser state and generator states saved by saveCheckpoint; returns the extra tensors (owned by
 * the caller) by name.
 */
export function restoreTrainingState(sidecarPath: string, sidecar: CheckpointSidecar, o: { optimizer?: Optimizer<GroupOptions> | null; generators?: Record<string, Generator> }): Map<string, Tensor> {
  const trainPath = join(dirname(sidecarPath), sidecar.files.train);
  const { tensors } = loadSafetensors(trainPath);
  try {
    if (o.optimizer) {
      if (!sidecar.optimizer) throw new Error(`checkpoint ${basename(sidecarPath)} has no optimiser state`);
      const optimTensors = new Map([...tensors].filter(([k]) => k.startsWith('optimizer.')).map(([k, t]) => [k.slice('optimizer.'.length), t]));
      o.optimizer.loadStateDict({ tensors: optimTensors, meta: sidecar.optimizer });
    }
    const global = tensors.get('generator.global');
    if (global) setRngState(global.dataSync() as Uint8Array);
    for (const [genName, gen] of Object.entries(o.generators ?? {})) {
      const state = tensors.get(`generator.${genName}`);
      if (!state) throw new Error(`checkpoint ${trainPath} has no state for generator '${genName}'`);
      gen.setState(state.dataSync() as Uint8Array);
    }
    const extras = new Map<string, Tensor>();
    for (const [key, t] of tensors) if (key.startsWith('extra.')) extras.set(key.slice('extra.'.length), t);
    return extras;
  } finally {
    dispose([...tensors.values()].filter((t) => !extrasOf(tensors).includes(t)));
  }
}

function extrasOf(tensors: Map<string, Tensor>): Tensor[] {
  return [...tensors].filter(([key]) => key.startsWith('extra.')).map(([, t]) => t);
}
