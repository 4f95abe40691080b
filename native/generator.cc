// torch.Generator for JavaScript: create, seed, get/set state (for exact resume).
#include "generator.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ATen.h>
#include <mutex>
#include "errors.h"
#include "ivalue_convert.h"
#include "tensor_handle.h"

namespace simclr {
namespace {
const napi_type_tag kGeneratorTag = {0x7e1d3c5b9a2f4e60ULL, 0x1122334455667788ULL};
}

bool isGeneratorHandle(const Napi::Value& value) {
  if (!value.IsExternal()) return false;
  bool tagged = false;
  napi_check_object_type_tag(value.Env(), value, &kGeneratorTag, &tagged);
  return tagged;
}

at::Generator& unwrapGenerator(const Napi::Value& value, const std::string& what) {
  if (!isGeneratorHandle(value)) throw ArgTypeError(what + ": expected a Generator");
  return *value.As<Napi::External<at::Generator>>().Data();
}

}  // namespace simclr

using namespace simclr;

// newGenerator(seed, device?) -> generator handle (CPU only unless a CUDA build is loaded).
NAPI_ENTRY(NewGenerator) {
  Napi::Env env = info.Env();
  uint64_t seed = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(nullptr)
                                     : static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  std::string device = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "cpu";
  if (parseDevice(device).type() != c10::DeviceType::CPU) throw ArgRangeError("newGenerator: only cpu generators are supported, got " + device);
  auto* gen = new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));
  auto external = Napi::External<at::Generator>::New(env, gen, [](Napi::Env, at::Generator* g) { delete g; });
  napi_type_tag_object(env, external, &kGeneratorTag);
  return external;
}

NAPI_ENTRY(GeneratorSeed) {
  at::Generator& gen = unwrapGenerator(info[0], "generatorSeed");
  uint64_t seed = info[1].IsBigInt() ? info[1].As<Napi::BigInt>().Uint64Value(nullptr)
                                     : static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(seed);
  return info.Env().Undefined();
}

NAPI_ENTRY(GeneratorGetState) {
  at::Generator& gen = unwrapGenerator(info[0], "generatorGetState");
  std::lock_guard<std::mutex> lock(gen.mutex());
  return wrapTensor(info.Env(), at::Tensor(gen.get_state()));
}

NAPI_ENTRY(GeneratorSetState) {
  at::Generator& gen = unwrapGenerator(info[0], "generatorSetState");
  at::Tensor state = unwrapTensor(info[1], "generatorSetState: state");
  if (state.scalar_type() != at::kByte) throw ArgTypeError("generatorSetState: state must be a uint8 tensor from getState()");
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
  return info.Env().Undefined();
}
