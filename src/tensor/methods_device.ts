// Moving tensors between devices and dtypes: to(), page-locked (pinned) host memory for asynchronous copies to a GPU,
// and set_data, which repoints a tensor at new data in place (how a module moves its parameters, as PyTorch's
// `param.data = param.data.to(device)`).
import { callOp, callTensor } from './op.js';
import { dtypeCode, isDType, type DType } from './dtype.js';
import { Tensor } from './tensor.js';

export interface DeviceOptions {
  /**
   * Let a host-to-GPU copy from pinned memory (or a GPU-to-host copy) return before it completes: later work on the
   * same CUDA stream waits for it. Ignored where the copy is synchronous anyway (CPU to CPU, pageable memory).
   */
  nonBlocking?: boolean;
}

declare module './tensor.js' {
  interface Tensor {
    /** to('float32') changes the dtype; to('cuda:0') or to('cpu') moves to a device (the same tensor when already there). */
    to(target: DType | string, options?: DeviceOptions): Tensor;
    /** A copy in page-locked host memory (torch.Tensor.pin_memory): needs a CUDA build of libtorch. */
    pinMemory(): Tensor;
    /** Whether this tensor lives in page-locked host memory (false on a build without CUDA). */
    isPinned(): boolean;
    /**
     * Repoints this tensor at `source`'s data (its shape, dtype and device too), keeping the JavaScript object, its
     * autograd leaf status and requiresGrad: PyTorch's `t.data = source`. Throws when libtorch cannot swap the two
     * kinds of storage in place (e.g. CPU and meta).
     */
    setData_(source: Tensor): this;
  }
}

const DEVICE = /^([a-z]+)(?::(\d+))?$/;
const DTYPE_NAMES: DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];

/** A device name: 'cpu', 'cuda', 'cuda:N' or another libtorch device type ('meta'); throws naming what was given. */
export function parseDevice(device: string, what = 'device'): { type: string; index: number | null } {
  const match = DEVICE.exec(device);
  if (!match) throw new TypeError(`${what}: '${device}' is not a device (cpu, cuda, cuda:N)`);
  return { type: match[1]!, index: match[2] === undefined ? null : Number(match[2]) };
}

const P = Tensor.prototype;

P.to = function (target, options = {}) {
  if (isDType(target)) return callTensor('aten::to.dtype', [this, dtypeCode(target), options.nonBlocking ?? false]);
  if (typeof target !== 'string' || !DEVICE.test(target)) {
    throw new TypeError(`to(): '${String(target)}' is neither a dtype (${DTYPE_NAMES.join(', ')}) nor a device (cpu, cuda, cuda:N)`);
  }
  return callTensor('aten::to.device', [this, target, dtypeCode(this.dtype), options.nonBlocking ?? false]);
};

P.pinMemory = function () { return callTensor('aten::pin_memory', [this]); };
P.isPinned = function () { return callOp('aten::is_pinned', [this]) as boolean; };

P.setData_ = function (source) {
  callOp('aten::set_data', [this, source]);
  return this;
};
