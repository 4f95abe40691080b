// Calls ATen operators by schema name ("aten::add.Tensor") through the native bridge, converting
// Tensors to handles and returned handles to Tensors. Every typed wrapper is built on this.
import { native, type OpHandle, type TensorHandle } from '../native/addon.js';
import { Tensor } from './tensor.js';

const handles = new Map<string, OpHandle>();

/** Looks up (once) the operator "namespace::name[.overload]". */
export function findOp(qualifiedName: string): OpHandle {
  let handle = handles.get(qualifiedName);
  if (handle === undefined) {
    const sep = qualifiedName.indexOf('::');
    const dot = qualifiedName.indexOf('.', sep + 2);
    const name = dot < 0 ? qualifiedName : qualifiedName.slice(0, dot);
    const overload = dot < 0 ? '' : qualifiedName.slice(dot + 1);
    handle = native.FindOp(name, overload);
    handles.set(qualifiedName, handle);
  }
  return handle;
}

/** The schema text of an operator, e.g. for documentation or error messages. */
export function opSchema(qualifiedName: string): string {
  return native.OpSchema(findOp(qualifiedName));
}

function toNative(arg: unknown): unknown {
  if (arg instanceof Tensor) return arg.handle;
  if (Array.isArray(arg)) return arg.map(toNative);
  return arg;
}

function fromNative(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromNative);
  if (value !== null && typeof value === 'object') return new Tensor(value as never);
  return value;
}

/** Calls any ATen operator; missing trailing arguments take the schema's defaults. */
export function callOp(qualifiedName: string, args: unknown[]): unknown {
  return fromNative(native.CallOp(findOp(qualifiedName), args.map(toNative)));
}

/**
 * Calls an operator that returns one tensor and hands back its native handle unwrapped: for Tensor subclasses
 * (nn's Parameter) whose constructor must pass a fresh handle to `super`.
 */
export function callOpHandle(qualifiedName: string, args: unknown[]): TensorHandle {
  return native.CallOp(findOp(qualifiedName), args.map(toNative)) as TensorHandle;
}

/** Calls an operator that returns one tensor. */
export function callTensor(qualifiedName: string, args: unknown[]): Tensor {
  return callOp(qualifiedName, args) as Tensor;
}

/** Calls an operator that returns several tensors (a tuple or a list). */
export function callTensors(qualifiedName: string, args: unknown[]): Tensor[] {
  return callOp(qualifiedName, args) as Tensor[];
}

/** Calls an in-place operator (schema returns Tensor(a!)) and returns `self`. */
export function callInplace<T extends Tensor>(self: T, qualifiedName: string, args: unknown[]): T {
  const out = callOp(qualifiedName, [self, ...args]);
  if (out instanceof Tensor) out.dispose();
  return self;
}
