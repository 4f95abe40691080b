// The only file that loads the compiled libtorch addon; declares a type for each native export.
// Everything else imports `native` from here.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque handle to one libtorch tensor (a tagged N-API External). */
export type TensorHandle = { readonly __tensorHandle: unique symbol };
/** Opaque handle to one ATen operator found by schema name. */
export type OpHandle = { readonly __opHandle: unique symbol };
/** Opaque handle to one torch.Generator. */
export type GeneratorHandle = { readonly __generatorHandle: unique symbol };
/** Autocast state of one device type, as native/autocast.cc reads and writes it. */
export interface AutocastNativeState { enabled: boolean; dtype: number; cacheEnabled: boolean }
export type NativeTypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array;

export interface NativeAddon {
  FindOp(name: string, overload: string): OpHandle;
  OpSchema(op: OpHandle): string;
  CallOp(op: OpHandle, args: unknown[]): unknown;

  FromTypedArray(data: NativeTypedArray, shape: number[], dtype?: number, device?: string): TensorHandle;
  ToTypedArray(t: TensorHandle): NativeTypedArray;
  TensorMeta(t: TensorHandle): [number[], number, string, boolean];
  Shape(t: TensorHandle): number[];
  Dtype(t: TensorHandle): number;
  DeviceOf(t: TensorHandle): string;
  Strides(t: TensorHandle): number[];
  Item(t: TensorHandle): number | boolean;
  Dispose(t: TensorHandle): void;
  IsDisposed(t: TensorHandle): boolean;
  IsSame(a: TensorHandle, b: TensorHandle): boolean;
  LiveTensors(): number;
  LiveBytes(): number;

  Backward(t: TensorHandle, gradient: TensorHandle | null, retainGraph?: boolean, createGraph?: boolean): void;
  Grad(t: TensorHandle): TensorHandle | null;
  SetGrad(t: TensorHandle, grad: TensorHandle | null): void;
  SetRequiresGrad(t: TensorHandle, requiresGrad: boolean): void;
  IsLeaf(t: TensorHandle): boolean;
  AutogradGrad(
    outputs: TensorHandle[], inputs: TensorHandle[], gradOutputs: (TensorHandle | null)[] | null,
    retainGraph: boolean | undefined, createGraph: boolean, allowUnused: boolean,
  ): (TensorHandle | null)[];
  SetGradEnabled(enabled: boolean): boolean;
  IsGradEnabled(): boolean;
  /** This thread's autocast state for a device type; `dtype` is a ScalarType code. */
  AutocastState(device: 'cpu' | 'cuda'): AutocastNativeState;
  /** Sets the autocast state and counts one nesting level (torch.autocast.__enter__); returns the previous state. */
  AutocastEnter(device: 'cpu' | 'cuda', enabled: boolean, dtype: number, cacheEnabled: boolean): AutocastNativeState;
  /** Restores `previous`; the outermost exit clears the cast cache (torch.autocast.__exit__). Returns the depth left. */
  AutocastExit(device: 'cpu' | 'cuda', previous: AutocastNativeState): number;

  ManualSeed(seed: number | bigint): void;
  GetRngState(): TensorHandle;
  SetRngState(state: TensorHandle): void;
  SetNumThreads(n: number): void;
  GetNumThreads(): number;
  CudaIsAvailable(): boolean;
  CudaDeviceCount(): number;
  CudaSupportsBf16(): boolean;
  TuneMalloc(): boolean;
  Config(): string;

  NewGenerator(seed: number | bigint, device?: string): GeneratorHandle;
  GeneratorSeed(gen: GeneratorHandle, seed: number | bigint): void;
  GeneratorGetState(gen: GeneratorHandle): TensorHandle;
  GeneratorSetState(gen: GeneratorHandle, state: TensorHandle): void;

  /** c10d process group over a TCPStore rendezvous (rank 0 hosts the store); returns the group's id. Blocks until all join. */
  DistInit(options: {
    rank: number; size: number; masterAddr: string; masterPort: number;
    timeoutMs?: number; peerTimeoutMs?: number; glooThreads?: number;
  }): number;
  DistDestroy(group: number): void;
  DistAllReduce(group: number, t: TensorHandle, op?: 'sum' | 'max' | 'min'): void;
  DistAllGather(group: number, t: TensorHandle): TensorHandle;
  DistBroadcast(group: number, t: TensorHandle, root: number): void;
  DistBarrier(group: number): void;
  DistAllReduceSumDiff(group: number, t: TensorHandle): TensorHandle;
  DistAllGatherDiff(group: number, t: TensorHandle): TensorHandle;
  DistBackendFor(group: number, t: TensorHandle): 'gloo' | 'nccl';
  DistStats(group: number): { collectives: number; waitMs: number };
}

function findAddon(): string {
  // SIMCLR_ADDON names another build of the addon (the sanitizer build of `npm run build:native:asan`).
  const chosen = process.env.SIMCLR_ADDON;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`SIMCLR_ADDON=${chosen}: no such file`);
    return chosen;
  }
  // Works from src/ (tsx) and dist/ alike: both sit one level below the package root.
  const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const candidates = ['build/Release/simclr_native.node', 'build/Debug/simclr_native.node'].map((p) => join(packageRoot, p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`simclr native addon not built: none of ${candidates.join(', ')} exists. Run \`npm run build:native\` ` +
      '(needs libtorch: `apt-get install libtorch-dev libgloo-dev libopenblas0-openmp`, or LIBTORCH=/path/to/libtorch).');
  }
  return found;
}

export const native: NativeAddon = createRequire(import.meta.url)(findAddon());
