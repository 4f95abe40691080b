// The tensor layer's public API: Tensor, creation, ops, functional, autograd, scopes, random state.
import './methods_math.js';
import './methods_shape.js';
import './methods_reduce.js';
import './methods_device.js';

export { parseDevice, type DeviceOptions } from './methods_device.js';
export { Tensor, liveTensors, liveTensorBytes, type NestedArray } from './tensor.js';
export type { ValuesIndices } from './methods_reduce.js';
export { cat, stack, where } from './methods_shape.js';
export * from './creation.js';
export * from './dtype.js';
export { tidy, keep, dispose, scopeDepth } from './scope.js';
export { noGrad, enableGrad, isGradEnabled, grad } from './autograd.js';
export { autocast, isAutocastEnabled, autocastDtype, type AutocastOptions, type AutocastDevice, type AutocastDType } from './autocast.js';
export { manualSeed, getRngState, setRngState, Generator } from './random.js';
export { callOp, callOpHandle, callTensor, callTensors, callInplace, findOp, opSchema } from './op.js';
export * as F from './functional.js';
export {
  saveSafetensors, loadSafetensors, ATOMIC_TEMP_NAME, serializeSafetensors, parseSafetensors, writeFileAtomicSync, SafetensorsError,
  SAFETENSORS_DTYPES, type SafetensorsDType, type SafetensorsContent, type TensorDict,
} from './safetensors.js';
export { gradcheck, assertGradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.js';
export { yieldToEventLoop } from './event_loop.js';
export { setNumThreads, getNumThreads, cuda, backendConfig, tuneMalloc } from './runtime.js';
export { cpuFeatures, hasNativeBf16, describeCpu, type CpuFeatures } from './cpu_features.js';
