// Module registration: the complete list of native entry points. Only src/native/addon.ts loads this.
#include <napi.h>

#define DECLARE(name) Napi::Value name(const Napi::CallbackInfo& info);
#define ENTRIES(X)                                                                                  \
  X(FindOp) X(OpSchema) X(CallOp)                                                                   \
  X(FromTypedArray) X(ToTypedArray) X(TensorMeta) X(Shape) X(Dtype) X(DeviceOf) X(Strides) X(Item)  \
  X(Dispose) X(IsDisposed) X(IsSame) X(LiveTensors) X(LiveBytes)                                    \
  X(Backward) X(Grad) X(SetGrad) X(SetRequiresGrad) X(IsLeaf) X(AutogradGrad) X(SetGradEnabled)     \
  X(IsGradEnabled) X(AutocastState) X(AutocastEnter) X(AutocastExit)                                 \
  X(ManualSeed) X(GetRngState) X(SetRngState) X(SetNumThreads) X(GetNumThreads) X(CudaIsAvailable)  \
  X(CudaDeviceCount) X(CudaSupportsBf16) X(Config) X(TuneMalloc) X(NewGenerator) X(GeneratorSeed) X(GeneratorGetState) X(GeneratorSetState)  \
  X(DistInit) X(DistDestroy) X(DistAllReduce) X(DistAllGather) X(DistBroadcast) X(DistBarrier)       \
  X(DistAllReduceSumDiff) X(DistAllGatherDiff) X(DistBackendFor) X(DistStats)
ENTRIES(DECLARE)

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
#define EXPORT(name) exports.Set(#name, Napi::Function::New(env, name, #name));
  ENTRIES(EXPORT)
  return exports;
}

NODE_API_MODULE(simclr_native, Init)
