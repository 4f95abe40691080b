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

uint64_t readSeed(const Napi::Value& value, const std::string& what) {
  if (value.IsBigInt()) {
    bool lossless = false;  // napi refuses a null out-pointer here
    uint64_t seed = value.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw ArgRangeError(what + ": a BigInt seed must be in [0, 2^64)");
    return seed;
  }
  if (!value.IsNumber()) throw ArgTypeError(what + ": seed must be a number or a BigInt");
  double seed = value.As<Napi::Number>().DoubleValue();
  if (!(seed >= 0 && seed <= 9007199254740991.0 && seed == static_cast<double>(static_cast<uint64_t>(seed)))) {
    throw ArgRangeError(what + ": seed must be a non-negative integer up to 2^53 - 1 (use a BigInt beyond)");
  }
  return static_cast<uint64_t>(seed);
}

}  // namespace simclr

using namespace simclr;

// newGenerator(seed, device?) -> generator handle (CPU only unless a CUDA build is loaded).
NAPI_ENTRY(NewGenerator) {
  Napi::Env env = info.Env();
  uint64_t seed = readSeed(info[0], "newGenerator");
  std::string device = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "cpu";
  if (parseDevice(device).type() != c10::DeviceType::CPU) throw ArgRangeError("newGenerator: only cpu generators are supported, got " + device);
  auto* gen = new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));
  auto external = Napi::External<at::Generator>::New(env, gen, [](Napi::Env, at::Generator* g) { delete g; });
  napi_type_tag_object(env, external, &kGeneratorTag);
  return external;
}

NAPI_ENTRY(GeneratorSeed) {
  at::Generator& gen = unwrapGenerator(info[0], "generatorSeed");
  uint64_t seed = readSeed(info[1], "generatorSeed");
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
