// Automatic mixed precision regions: autocast(options, fn) runs fn with libtorch's autocast on for one device type,
// as torch.autocast (torch/amp/autocast_mode.py): eligible ops (conv, linear, matmul) run in bfloat16/float16.
import { native, type AutocastNativeState } from '../native/addon.js';
import { dtypeCode, dtypeFromCode } from './dtype.js';

/** A device type; `cuda:N` is accepted and means `cuda` (autocast state is per device type, not per device). */
export type AutocastDevice = 'cpu' | 'cuda' | `cuda:${number}`;
export type AutocastDType = 'bfloat16' | 'float16';

export interface AutocastOptions {
  device: AutocastDevice;
  /** The lower precision; default bfloat16 on CPU, float16 on CUDA (PyTorch's defaults). */
  dtype?: AutocastDType;
  /** false runs fn with autocast off (also inside an enclosing autocast), as torch.autocast(enabled=False). */
  enabled?: boolean;
  /** Keep casted copies of leaf weights for the outermost region (torch's cache_enabled); default true. */
  cacheEnabled?: boolean;
}

function deviceType(device: string): 'cpu' | 'cuda' {
  if (device === 'cpu') return 'cpu';
  if (device === 'cuda' || /^cuda:\d+$/.test(device)) return 'cuda';
  throw new RangeError(`autocast: device must be 'cpu', 'cuda' or 'cuda:N', got '${device}'`);
}

function lowPrecision(dtype: string): number {
  if (dtype !== 'bfloat16' && dtype !== 'float16') {
    throw new RangeError(`autocast: dtype must be 'bfloat16' or 'float16', got '${dtype}'`);
  }
  return dtypeCode(dtype);
}

/**
 * Runs fn inside an autocast region and restores the previous autocast state afterwards, also when fn throws.
 * Regions nest; leaving the outermost one frees the cast cache. Synchronous functions only: the state is
 * thread-local and would not follow an awaited continuation, so a returned Promise is an error.
 */
export function autocast<T>(options: AutocastOptions, fn: () => T): T {
  const device = deviceType(options.device);
  const dtype = lowPrecision(options.dtype ?? (device === 'cpu' ? 'bfloat16' : 'float16'));
  const previous: AutocastNativeState = native.AutocastEnter(device, options.enabled ?? true, dtype, options.cacheEnabled ?? true);
  let result: T;
  try {
    result = fn();
  } finally {
    native.AutocastExit(device, previous);
  }
  if (result !== null && typeof (result as { then?: unknown })?.then === 'function') {
    throw new TypeError('autocast: fn returned a Promise; autocast regions are synchronous (the state is thread-local)');
  }
  return result;
}

/** Whether autocast is on for the device type on this thread (torch.is_autocast_enabled(device_type)). */
export function isAutocastEnabled(device: AutocastDevice = 'cpu'): boolean {
  return native.AutocastState(deviceType(device)).enabled;
}

/** The lower precision autocast uses for the device type now (torch.get_autocast_dtype(device_type)). */
export function autocastDtype(device: AutocastDevice = 'cpu'): AutocastDType {
  return dtypeFromCode(native.AutocastState(deviceType(device)).dtype) as AutocastDType;
}
