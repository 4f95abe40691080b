// The Tensor class: a handle to one libtorch tensor plus metadata, data access, autograd and disposal.
// Operator methods (add, reshape, sum, ...) are attached in methods_*.ts; import the package index.
import { native, type NativeTypedArray, type TensorHandle } from '../native/addon.js';
import { dtypeFromCode, type DType } from './dtype.js';
import { trackTensor, type Tracked } from './scope.js';

export type NestedArray = number | boolean | NestedArray[];

export class Tensor implements Tracked {
  #handle: TensorHandle | null;

  /** Wraps a native handle; the innermost tidy() scope takes ownership. */
  constructor(handle: TensorHandle) {
    this.#handle = handle;
    trackTensor(this);
  }

  /** The native handle; throws once the tensor has been disposed. */
  get handle(): TensorHandle {
    if (this.#handle === null) throw new Error('Tensor was used after dispose()');
    return this.#handle;
  }

  get shape(): number[] {
    return native.Shape(this.handle);
  }

  get dtype(): DType {
    return dtypeFromCode(native.Dtype(this.handle));
  }

  get device(): string {
    return native.DeviceOf(this.handle);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Size of one dimension (negative counts from the end) or the whole shape. */
  size(dim?: number): number {
    const shape = this.shape;
    if (dim === undefined) return this.numel;
    const d = dim < 0 ? dim + shape.length : dim;
    if (d < 0 || d >= shape.length) throw new RangeError(`size(${dim}): tensor of shape [${shape}] has ${shape.length} dimensions`);
    return shape[d];
  }

  strides(): number[] {
    return native.Strides(this.handle);
  }

  get requiresGrad(): boolean {
    return native.TensorMeta(this.handle)[3];
  }

  set requiresGrad(value: boolean) {
    native.SetRequiresGrad(this.handle, value);
  }

  /** Sets requires_grad in place and returns this tensor (torch's requires_grad_). */
  requiresGrad_(value = true): this {
    native.SetRequiresGrad(this.handle, value);
    return this;
  }

  get isLeaf(): boolean {
    return native.IsLeaf(this.handle);
  }

  /** The accumulated gradient, as a new handle owned by the current scope, or null. */
  get grad(): Tensor | null {
    const g = native.Grad(this.handle);
    return g === null ? null : new Tensor(g);
  }

  set grad(value: Tensor | null) {
    native.SetGrad(this.handle, value === null ? null : value.handle);
  }

  /** Accumulates gradients of this tensor into the leaves' .grad (torch.Tensor.backward). */
  backward(gradient?: Tensor, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    native.Backward(this.handle, gradient ? gradient.handle : null, options.retainGraph, options.createGraph ?? false);
  }

  /** A copy of the values as a flat TypedArray (bool and uint8 -> Uint8Array, int64 -> BigInt64Array). */
  dataSync(): NativeTypedArray {
    return native.ToTypedArray(this.handle);
  }

  /** Values as a flat array of numbers (int64 converted to number). */
  toFlatArray(): number[] {
    const data = this.dataSync();
    return data instanceof BigInt64Array ? Array.from(data, Number) : Array.from(data as ArrayLike<number>);
  }

  /** Values as nested arrays, like tensor.tolist(). */
  toArray(): NestedArray {
    const flat = this.toFlatArray();
    const isBool = this.dtype === 'bool';
    const build = (shape: number[], offset: number): [NestedArray, number] => {
      if (shape.length === 0) return [isBool ? flat[offset] !== 0 : flat[offset], offset + 1];
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[0]; i++) {
        const [item, next] = build(shape.slice(1), offset);
        out.push(item);
        offset = next;
      }
      return [out, offset];
    };
    return build(this.shape, 0)[0];
  }

  /** The single value of a one-element tensor. */
  item(): number {
    return Number(native.Item(this.handle));
  }

  /** Frees the tensor's memory now. Disposing twice is harmless. */
  dispose(): void {
    if (this.#handle === null) return;
    native.Dispose(this.#handle);
    this.#handle = null;
  }

  get isDisposed(): boolean {
    return this.#handle === null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    const preview = this.numel <= 20 ? ` ${JSON.stringify(this.toArray())}` : '';
    return `Tensor(shape=[${this.shape}], dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ', requiresGrad' : ''})${preview}`;
  }
}

/** Number of native tensors alive (not yet disposed or finalized). */
export function liveTensors(): number {
  return native.LiveTensors();
}

/** Bytes of tensor storage held by live handles (views count their whole storage). */
export function liveTensorBytes(): number {
  return native.LiveBytes();
}
