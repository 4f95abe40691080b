// Elementwise math, comparisons, matmul, dtype/device moves and in-place updates as Tensor methods.
import { dtypeCode, MEMORY_FORMAT, type DType, type MemoryFormat } from './dtype.js';
import { callInplace, callTensor } from './op.js';
import { Tensor } from './tensor.js';

type Operand = Tensor | number;

declare module './tensor.js' {
  interface Tensor {
    add(other: Operand, alpha?: number): Tensor;
    sub(other: Operand, alpha?: number): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    pow(exponent: Operand): Tensor;
    remainder(other: Operand): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    square(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    clampMin(min: number): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    eq(other: Operand): Tensor;
    ne(other: Operand): Tensor;
    lt(other: Operand): Tensor;
    le(other: Operand): Tensor;
    gt(other: Operand): Tensor;
    ge(other: Operand): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    logicalNot(): Tensor;
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    contiguous(memoryFormat?: MemoryFormat): Tensor;
    isContiguous(memoryFormat?: MemoryFormat): boolean;
    add_(other: Operand, alpha?: number): this;
    sub_(other: Operand, alpha?: number): this;
    mul_(other: Operand): this;
    div_(other: Operand): this;
    addcmul_(a: Tensor, b: Tensor, value?: number): this;
    addcdiv_(a: Tensor, b: Tensor, value?: number): this;
    lerp_(end: Tensor, weight: number): this;
    copy_(src: Tensor): this;
    zero_(): this;
    fill_(value: number): this;
    clamp_(min?: number | null, max?: number | null): this;
    sqrt_(): this;
    uniform_(from?: number, to?: number): this;
    normal_(mean?: number, std?: number): this;
  }
}

const P = Tensor.prototype;
const overload = (other: Operand) => (typeof other === 'number' ? 'Scalar' : 'Tensor');

P.add = function (other, alpha = 1) { return callTensor(`aten::add.${overload(other)}`, [this, other, alpha]); };
P.sub = function (other, alpha = 1) { return callTensor(`aten::sub.${overload(other)}`, [this, other, alpha]); };
P.mul = function (other) { return callTensor(`aten::mul.${overload(other)}`, [this, other]); };
P.div = function (other) { return callTensor(`aten::div.${overload(other)}`, [this, other]); };
P.remainder = function (other) { return callTensor(`aten::remainder.${overload(other)}`, [this, other]); };
P.pow = function (e) { return callTensor(typeof e === 'number' ? 'aten::pow.Tensor_Scalar' : 'aten::pow.Tensor_Tensor', [this, e]); };

const unary = ['neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal', 'square', 'sin', 'cos', 'tanh',
  'sigmoid', 'relu', 'floor', 'ceil', 'round'] as const;
for (const name of unary) {
  P[name] = function (this: Tensor) { return callTensor(`aten::${name}`, [this]); };
}

P.clamp = function (min = null, max = null) { return callTensor('aten::clamp', [this, min, max]); };
P.clampMin = function (min) { return callTensor('aten::clamp_min', [this, min]); };
P.maximum = function (other) { return callTensor('aten::maximum', [this, other]); };
P.minimum = function (other) { return callTensor('aten::minimum', [this, other]); };

for (const name of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
  P[name] = function (this: Tensor, other: Operand) { return callTensor(`aten::${name}.${overload(other)}`, [this, other]); };
}
P.logicalAnd = function (other) { return callTensor('aten::logical_and', [this, other]); };
P.logicalOr = function (other) { return callTensor('aten::logical_or', [this, other]); };
P.logicalNot = function () { return callTensor('aten::logical_not', [this]); };

P.matmul = function (other) { return callTensor('aten::matmul', [this, other]); };
P.mm = function (other) { return callTensor('aten::mm', [this, other]); };
P.bmm = function (other) { return callTensor('aten::bmm', [this, other]); };

P.float = function () { return this.to('float32'); };
P.double = function () { return this.to('float64'); };
P.long = function () { return this.to('int64'); };
P.int = function () { return this.to('int32'); };
P.bool = function () { return this.to('bool'); };
P.clone = function () { return callTensor('aten::clone', [this]); };
P.detach = function () { return callTensor('aten::detach', [this]); };
P.contiguous = function (memoryFormat = 'contiguous') { return callTensor('aten::contiguous', [this, MEMORY_FORMAT[memoryFormat]]); };
/** Whether the strides are those of a dense row-major (or channels-last) layout; size-1 dims are ignored, as in torch. */
P.isContiguous = function (memoryFormat = 'contiguous') {
  const shape = this.shape;
  const strides = this.strides();
  if (shape.some((s) => s === 0)) return true;
  let order = shape.map((_, i) => i); // dims from outermost to innermost
  if (memoryFormat === 'channelsLast' || memoryFormat === 'channelsLast3d') {
    const rank = memoryFormat === 'channelsLast' ? 4 : 5;
    if (shape.length !== rank) return false;
    order = [0, ...order.slice(2), 1]; // N, spatial..., C
  } else if (memoryFormat !== 'contiguous') {
    throw new TypeError(`isContiguous: memory format must be contiguous, channelsLast or channelsLast3d, got '${memoryFormat}'`);
  }
  let expected = 1;
  for (const d of order.reverse()) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
};

P.add_ = function (other, alpha = 1) { return callInplace(this, `aten::add_.${overload(other)}`, [other, alpha]); };
P.sub_ = function (other, alpha = 1) { return callInplace(this, `aten::sub_.${overload(other)}`, [other, alpha]); };
P.mul_ = function (other) { return callInplace(this, `aten::mul_.${overload(other)}`, [other]); };
P.div_ = function (other) { return callInplace(this, `aten::div_.${overload(other)}`, [other]); };
P.addcmul_ = function (a, b, value = 1) { return callInplace(this, 'aten::addcmul_', [a, b, value]); };
P.addcdiv_ = function (a, b, value = 1) { return callInplace(this, 'aten::addcdiv_', [a, b, value]); };
P.lerp_ = function (end, weight) { return callInplace(this, 'aten::lerp_.Scalar', [end, weight]); };
P.copy_ = function (src) { return callInplace(this, 'aten::copy_', [src]); };
P.zero_ = function () { return callInplace(this, 'aten::zero_', []); };
P.fill_ = function (value) { return callInplace(this, 'aten::fill_.Scalar', [value]); };
P.clamp_ = function (min = null, max = null) { return callInplace(this, 'aten::clamp_', [min, max]); };
P.sqrt_ = function () { return callInplace(this, 'aten::sqrt_', []); };
P.uniform_ = function (from = 0, to = 1) { return callInplace(this, 'aten::uniform_', [from, to]); };
P.normal_ = function (mean = 0, std = 1) { return callInplace(this, 'aten::normal_', [mean, std]); };
