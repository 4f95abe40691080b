// Tensor creation: from JavaScript data, constants, ranges and random draws.
import { native, type NativeTypedArray } from '../native/addon.js';
import { dtypeCode, type DType } from './dtype.js';
import { callTensor } from './op.js';
import type { Generator } from './random.js';
import { Tensor, type NestedArray } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

/** Device of tensors created without an explicit one (null: libtorch's default, the CPU). */
let defaultDevice: string | null = null;

/**
 * Runs fn with `device` as the default of every creation function (like torch.set_default_device, scoped). With
 * 'meta', modules are built without memory: parameter shapes of any model, however large, from its own constructor.
 */
export function withDefaultDevice<T>(device: string, fn: () => T): T {
  const previous = defaultDevice;
  defaultDevice = device;
  try {
    return fn();
  } finally {
    defaultDevice = previous;
  }
}

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

function creationArgs(options: TensorOptions, defaultDtype: DType = 'float32'): unknown[] {
  // ScalarType? dtype, Layout? layout, Device? device, bool? pin_memory
  return [dtypeCode(options.dtype ?? defaultDtype), null, options.device ?? defaultDevice, null];
}

function checkShape(shape: number[], where: string): void {
  if (!Array.isArray(shape)) throw new TypeError(`${where}: shape must be an array of integers, got ${typeof shape}`);
  for (const [i, s] of shape.entries()) {
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`${where}: shape[${i}] must be a non-negative integer, got ${s}`);
  }
}

/** The shape implied by the first element at each depth of a nested array. */
function shapeOf(data: NestedArray): number[] {
  const shape: number[] = [];
  let item: NestedArray = data;
  while (Array.isArray(item)) {
    shape.push(item.length);
    if (item.length === 0) break;
    item = item[0];
  }
  return shape;
}

/** Appends the leaves of data to out, checking every sub-array against shape. */
function flatten(data: NestedArray, shape: number[], out: number[], depth = 0): void {
  if (depth < shape.length) {
    if (!Array.isArray(data) || data.length !== shape[depth]) {
      throw new RangeError(`tensor(): ragged nested array at depth ${depth} (expected ${shape[depth]} items like the first element)`);
    }
    for (const item of data) flatten(item, shape, out, depth + 1);
    return;
  }
  if (Array.isArray(data)) throw new RangeError(`tensor(): ragged nested array at depth ${depth} (expected a number)`);
  if (typeof data !== 'number' && typeof data !== 'boolean') {
    throw new TypeError(`tensor(): data must be numbers, booleans, nested arrays of them or a TypedArray, got ${data === null ? 'null' : typeof data}`);
  }
  out.push(typeof data === 'boolean' ? Number(data) : data);
}

function firstLeaf(data: NestedArray): number | boolean | undefined {
  let item: NestedArray | undefined = data;
  while (Array.isArray(item)) item = item[0];
  return item;
}

function inferDtype(data: NestedArray | NativeTypedArray): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  return 'float32';
}

/**
 * A tensor from nested arrays or a flat TypedArray (shape then required). Default dtype: float32 for numbers,
 * bool for booleans, the TypedArray's own type otherwise.
 */
export function tensor(data: NestedArray | NativeTypedArray, shapeOrOptions?: number[] | TensorOptions, maybeOptions: TensorOptions = {}): Tensor {
  const options = Array.isArray(shapeOrOptions) ? maybeOptions : (shapeOrOptions ?? {});
  if (ArrayBuffer.isView(data)) {
    const shape = Array.isArray(shapeOrOptions) ? shapeOrOptions : [data.length];
    checkShape(shape, 'tensor');
    const dtype = options.dtype ?? inferDtype(data);
    return finish(new Tensor(native.FromTypedArray(data, shape, dtypeCode(dtype), options.device ?? defaultDevice ?? undefined)), options);
  }
  const nestedShape = shapeOf(data);
  const flat: number[] = [];
  flatten(data, nestedShape, flat);
  // An explicit shape reshapes the nested data, as it does a typed array; the element counts must agree.
  const shape = Array.isArray(shapeOrOptions) ? shapeOrOptions : nestedShape;
  if (shape !== nestedShape) {
    checkShape(shape, 'tensor');
    if (shape.reduce((a, b) => a * b, 1) !== flat.length) {
      throw new RangeError(`tensor: shape [${shape}] does not fit nested data of shape [${nestedShape}] (${flat.length} elements)`);
    }
  }
  const isBool = typeof firstLeaf(data) === 'boolean';
  const dtype = options.dtype ?? (isBool ? 'bool' : 'float32');
  return finish(new Tensor(native.FromTypedArray(Float64Array.from(flat), shape, dtypeCode(dtype), options.device ?? defaultDevice ?? undefined)), options);
}

export function zeros(shape: number[], options: TensorOptions = {}): Tensor {
  checkShape(shape, 'zeros');
  return finish(callTensor('aten::zeros', [shape, ...creationArgs(options)]), options);
}

export function ones(shape: number[], options: TensorOptions = {}): Tensor {
  checkShape(shape, 'ones');
  return finish(callTensor('aten::ones', [shape, ...creationArgs(options)]), options);
}

export function empty(shape: number[], options: TensorOptions = {}): Tensor {
  checkShape(shape, 'empty');
  return finish(callTensor('aten::empty.memory_format', [shape, ...creationArgs(options)]), options);
}

export function full(shape: number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape, 'full');
  return finish(callTensor('aten::full', [shape, value, ...creationArgs(options)]), options);
}

export function zerosLike(t: Tensor): Tensor {
  return callTensor('aten::zeros_like', [t]);
}

export function onesLike(t: Tensor): Tensor {
  return callTensor('aten::ones_like', [t]);
}

/** Values start, start+step, ... below end. One argument means [0, end). */
export function arange(startOrEnd: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  const [start, stop] = end === undefined ? [0, startOrEnd] : [startOrEnd, end];
  const allInts = [start, stop, step].every(Number.isInteger);
  return finish(callTensor('aten::arange.start_step', [start, stop, step, ...creationArgs(options, allInts ? 'int64' : 'float32')]), options);
}

export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  return finish(callTensor('aten::linspace', [start, end, steps, ...creationArgs(options)]), options);
}

export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  return finish(callTensor('aten::eye.m', [n, m, ...creationArgs(options)]), options);
}

/** Standard normal draws; `generator` defaults to the global one seeded by manualSeed. */
export function randn(shape: number[], options: TensorOptions & { generator?: Generator } = {}): Tensor {
  checkShape(shape, 'randn');
  return finish(callTensor('aten::randn.generator', [shape, options.generator?.handle ?? null, ...creationArgs(options)]), options);
}

/** Uniform draws in [0, 1). */
export function rand(shape: number[], options: TensorOptions & { generator?: Generator } = {}): Tensor {
  checkShape(shape, 'rand');
  return finish(callTensor('aten::rand.generator', [shape, options.generator?.handle ?? null, ...creationArgs(options)]), options);
}

/** Integers uniform in [low, high); int64 by default. */
export function randint(low: number, high: number, shape: number[], options: TensorOptions & { generator?: Generator } = {}): Tensor {
  checkShape(shape, 'randint');
  if (!(high > low)) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  return callTensor('aten::randint.low_generator', [low, high, shape, options.generator?.handle ?? null, ...creationArgs(options, 'int64')]);
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, options: TensorOptions & { generator?: Generator } = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  return callTensor('aten::randperm.generator', [n, options.generator?.handle ?? null, ...creationArgs(options, 'int64')]);
}
