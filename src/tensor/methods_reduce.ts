// Reductions (sum, mean, max, var, norm, logsumexp, topk, ...) as Tensor methods.
import { dtypeCode, type DType } from './dtype.js';
import { callOp, callTensor, callTensors } from './op.js';
import { Tensor } from './tensor.js';

type Dims = number | number[];
export interface ValuesIndices { values: Tensor; indices: Tensor }

declare module './tensor.js' {
  interface Tensor {
    sum(dim?: Dims, keepdim?: boolean, dtype?: DType): Tensor;
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    prod(dim?: number, keepdim?: boolean): Tensor;
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
    amax(dim: Dims, keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    var(dim?: Dims, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor;
    std(dim?: Dims, options?: { unbiased?: boolean; keepdim?: boolean }): Tensor;
    norm(p?: number, dim?: Dims, keepdim?: boolean): Tensor;
    logsumexp(dim: Dims, keepdim?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
    sort(dim?: number, descending?: boolean): ValuesIndices;
    argsort(dim?: number, descending?: boolean): Tensor;
    cumsum(dim: number): Tensor;
    all(): Tensor;
    any(): Tensor;
  }
}

const P = Tensor.prototype;
const list = (dim: Dims) => (typeof dim === 'number' ? [dim] : dim);

P.sum = function (dim, keepdim = false, dtype) {
  const code = dtype === undefined ? null : dtypeCode(dtype);
  if (dim === undefined) return callTensor('aten::sum', [this, code]);
  return callTensor('aten::sum.dim_IntList', [this, list(dim), keepdim, code]);
};
P.mean = function (dim, keepdim = false) {
  if (dim === undefined) return callTensor('aten::mean', [this]);
  return callTensor('aten::mean.dim', [this, list(dim), keepdim]);
};
P.prod = function (dim, keepdim = false) {
  if (dim === undefined) return callTensor('aten::prod', [this]);
  return callTensor('aten::prod.dim_int', [this, dim, keepdim]);
};
P.max = function (this: Tensor, dim?: number, keepdim = false) {
  if (dim === undefined) return callTensor('aten::max', [this]);
  const [values, indices] = callTensors('aten::max.dim', [this, dim, keepdim]);
  return { values, indices };
} as Tensor['max'];
P.min = function (this: Tensor, dim?: number, keepdim = false) {
  if (dim === undefined) return callTensor('aten::min', [this]);
  const [values, indices] = callTensors('aten::min.dim', [this, dim, keepdim]);
  return { values, indices };
} as Tensor['min'];
P.amax = function (dim, keepdim = false) { return callTensor('aten::amax', [this, list(dim), keepdim]); };
P.argmax = function (dim, keepdim = false) { return callTensor('aten::argmax', [this, dim ?? null, keepdim]); };
P.argmin = function (dim, keepdim = false) { return callTensor('aten::argmin', [this, dim ?? null, keepdim]); };
P.var = function (dim, { unbiased = true, keepdim = false } = {}) {
  return callTensor('aten::var.dim', [this, dim === undefined ? null : list(dim), unbiased, keepdim]);
};
P.std = function (dim, { unbiased = true, keepdim = false } = {}) {
  return callTensor('aten::std.dim', [this, dim === undefined ? null : list(dim), unbiased, keepdim]);
};
P.norm = function (p = 2, dim, keepdim = false) {
  return callTensor('aten::linalg_vector_norm', [this, p, dim === undefined ? null : list(dim), keepdim]);
};
P.logsumexp = function (dim, keepdim = false) { return callTensor('aten::logsumexp', [this, list(dim), keepdim]); };
P.topk = function (k, dim = -1, largest = true, sorted = true) {
  const [values, indices] = callTensors('aten::topk', [this, k, dim, largest, sorted]);
  return { values, indices };
};
P.sort = function (dim = -1, descending = false) {
  const [values, indices] = callTensors('aten::sort', [this, dim, descending]);
  return { values, indices };
};
P.argsort = function (dim = -1, descending = false) { return callTensor('aten::argsort', [this, dim, descending]); };
P.cumsum = function (dim) { return callTensor('aten::cumsum', [this, dim]); };
P.all = function () { return callOp('aten::all', [this]) as Tensor; };
P.any = function () { return callOp('aten::any', [this]) as Tensor; };
