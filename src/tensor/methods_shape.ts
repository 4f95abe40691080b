// Shape, indexing and gather/scatter operations as Tensor methods.
import { callInplace, callTensor, callTensors } from './op.js';
import { Tensor } from './tensor.js';

declare module './tensor.js' {
  interface Tensor {
    reshape(shape: number[]): Tensor;
    view(shape: number[]): Tensor;
    permute(dims: number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(shape: number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    repeat(repeats: number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    split(sizeOrSizes: number | number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    flip(dims: number[]): Tensor;
    roll(shifts: number | number[], dims: number | number[]): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    index(indices: (Tensor | null)[]): Tensor;
    indexPut_(indices: (Tensor | null)[], values: Tensor, accumulate?: boolean): this;
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    maskedFill_(mask: Tensor, value: number): this;
    where(condition: Tensor, other: Tensor | number): Tensor;
  }
}

const P = Tensor.prototype;

P.reshape = function (shape) { return callTensor('aten::reshape', [this, shape]); };
P.view = function (shape) { return callTensor('aten::view', [this, shape]); };
P.permute = function (dims) { return callTensor('aten::permute', [this, dims]); };
P.transpose = function (d0, d1) { return callTensor('aten::transpose.int', [this, d0, d1]); };
P.t = function () { return callTensor('aten::t', [this]); };
P.flatten = function (start = 0, end = -1) { return callTensor('aten::flatten.using_ints', [this, start, end]); };
P.squeeze = function (dim) { return dim === undefined ? callTensor('aten::squeeze', [this]) : callTensor('aten::squeeze.dim', [this, dim]); };
P.unsqueeze = function (dim) { return callTensor('aten::unsqueeze', [this, dim]); };
P.expand = function (shape) { return callTensor('aten::expand', [this, shape]); };
P.expandAs = function (other) { return callTensor('aten::expand_as', [this, other]); };
P.repeat = function (repeats) { return callTensor('aten::repeat', [this, repeats]); };
P.narrow = function (dim, start, length) { return callTensor('aten::narrow', [this, dim, start, length]); };
P.select = function (dim, index) { return callTensor('aten::select.int', [this, dim, index]); };
P.slice = function (dim, start = null, end = null, step = 1) { return callTensor('aten::slice.Tensor', [this, dim, start, end, step]); };
P.split = function (sizeOrSizes, dim = 0) {
  return typeof sizeOrSizes === 'number'
    ? callTensors('aten::split.Tensor', [this, sizeOrSizes, dim])
    : callTensors('aten::split_with_sizes', [this, sizeOrSizes, dim]);
};
P.chunk = function (chunks, dim = 0) { return callTensors('aten::chunk', [this, chunks, dim]); };
P.flip = function (dims) { return callTensor('aten::flip', [this, dims]); };
P.roll = function (shifts, dims) {
  const asList = (v: number | number[]) => (typeof v === 'number' ? [v] : v);
  return callTensor('aten::roll', [this, asList(shifts), asList(dims)]);
};
P.indexSelect = function (dim, index) { return callTensor('aten::index_select', [this, dim, index]); };
P.index = function (indices) { return callTensor('aten::index.Tensor', [this, indices]); };
P.indexPut_ = function (indices, values, accumulate = false) { return callInplace(this, 'aten::index_put_', [indices, values, accumulate]); };
P.gather = function (dim, index) { return callTensor('aten::gather', [this, dim, index]); };
P.scatter = function (dim, index, src) {
  return typeof src === 'number'
    ? callTensor('aten::scatter.value', [this, dim, index, src])
    : callTensor('aten::scatter.src', [this, dim, index, src]);
};
P.scatterAdd = function (dim, index, src) { return callTensor('aten::scatter_add', [this, dim, index, src]); };
P.maskedFill = function (mask, value) { return callTensor('aten::masked_fill.Scalar', [this, mask, value]); };
P.maskedFill_ = function (mask, value) { return callInplace(this, 'aten::masked_fill_.Scalar', [mask, value]); };
/** this where condition holds, other elsewhere (torch.where(condition, this, other)). */
P.where = function (condition, other) {
  return typeof other === 'number'
    ? callTensor('aten::where.ScalarOther', [condition, this, other])
    : callTensor('aten::where.self', [condition, this, other]);
};

/** Concatenates tensors along an existing dimension. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  return callTensor('aten::cat', [tensors, dim]);
}

/** Stacks tensors along a new dimension. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return callTensor('aten::stack', [tensors, dim]);
}

/** torch.where(condition, a, b). */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (a instanceof Tensor) return a.where(condition, b);
  if (b instanceof Tensor) return callTensor('aten::where.ScalarSelf', [condition, a, b]);
  return callTensor('aten::where.Scalar', [condition, a, b]);
}
