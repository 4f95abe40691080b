// Process-wide settings: seeds and generator state, intra-op threads, CUDA availability.
#include <cmath>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include "errors.h"
#include "generator.h"
#include "tensor_handle.h"

using namespace simclr;

NAPI_ENTRY(ManualSeed) {
  uint64_t seed = readSeed(info[0], "manualSeed");
  at::manual_seed(seed);  // seeds the CPU generator and every CUDA device's
  return info.Env().Undefined();
}

// getRngState() -> uint8 tensor with the CPU generator's full state (as torch.get_rng_state()).
NAPI_ENTRY(GetRngState) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return wrapTensor(info.Env(), at::Tensor(gen.get_state()));
}

NAPI_ENTRY(SetRngState) {
  at::Tensor state = unwrapTensor(info[0], "setRngState");
  if (state.scalar_type() != at::kByte) throw ArgTypeError("setRngState: state must be a uint8 tensor from getRngState()");
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return info.Env().Undefined();
}

NAPI_ENTRY(SetNumThreads) {
  if (!info[0].IsNumber()) throw ArgTypeError("setNumThreads: expected a number of threads");
  double d = info[0].As<Napi::Number>().DoubleValue();
  if (!(d >= 1 && d <= 4096 && std::trunc(d) == d)) throw ArgRangeError("setNumThreads: need an integer from 1 to 4096, got " + std::to_string(d));
  int n = static_cast<int>(d);
  at::set_num_threads(n);
  return info.Env().Undefined();
}

NAPI_ENTRY(GetNumThreads) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

NAPI_ENTRY(CudaIsAvailable) { return Napi::Boolean::New(info.Env(), at::hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0); }
NAPI_ENTRY(CudaDeviceCount) { return Napi::Number::New(info.Env(), at::hasCUDA() ? static_cast<double>(at::detail::getCUDAHooks().getNumGPUs()) : 0.0); }

// True when the current CUDA device does bfloat16 convolutions natively (compute capability 8.0+ with cuDNN 8):
// what `--precision auto` needs to know before it picks bf16 on a GPU. False without CUDA.
NAPI_ENTRY(CudaSupportsBf16) {
  bool ok = at::hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0 && at::detail::getCUDAHooks().supportsBFloat16ConvolutionWithCuDNNv8();
  return Napi::Boolean::New(info.Env(), ok);
}

NAPI_ENTRY(Config) { return Napi::String::New(info.Env(), at::show_config()); }
