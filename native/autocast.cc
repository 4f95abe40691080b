// Autocast (automatic mixed precision) state: enter/exit a region for one device type, as torch.autocast's
// __enter__/__exit__ (torch/amp/autocast_mode.py). Reference: aten/src/ATen/autocast_mode.h of 1.13 and 2.x.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>
#include <string>
#include "errors.h"

using namespace simclr;

// libtorch 2.4 made the autocast state device-generic (set_autocast_enabled(DeviceType, bool), ...) and deprecated
// the per-device names (set_cpu_enabled, set_enabled for CUDA, set_autocast_cpu_dtype, ...) that 1.13 has.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define SIMCLR_AUTOCAST_GENERIC 1
#endif
// CPU autocast accepts float16 from libtorch 2.4 on here (1.13 runs CPU autocast in bfloat16 only).
#ifdef SIMCLR_AUTOCAST_GENERIC
#define SIMCLR_CPU_FP16 1
#endif

namespace {

struct State {
  bool enabled;
  at::ScalarType dtype;
  bool cacheEnabled;
};

at::DeviceType deviceType(const Napi::Value& v, const std::string& where) {
  if (!v.IsString()) throw ArgTypeError(where + ": device must be 'cpu' or 'cuda'");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "cpu") return at::kCPU;
  if (s == "cuda") return at::kCUDA;
  throw ArgRangeError(where + ": device must be 'cpu' or 'cuda' (a device type, no index), got '" + s + "'");
}

State read(at::DeviceType device) {
#ifdef SIMCLR_AUTOCAST_GENERIC
  return {at::autocast::is_autocast_enabled(device), at::autocast::get_autocast_dtype(device), at::autocast::is_autocast_cache_enabled()};
#else
  if (device == at::kCPU) return {at::autocast::is_cpu_enabled(), at::autocast::get_autocast_cpu_dtype(), at::autocast::is_autocast_cache_enabled()};
  return {at::autocast::is_enabled(), at::autocast::get_autocast_gpu_dtype(), at::autocast::is_autocast_cache_enabled()};
#endif
}

void write(at::DeviceType device, const State& s) {
#ifdef SIMCLR_AUTOCAST_GENERIC
  at::autocast::set_autocast_enabled(device, s.enabled);
  at::autocast::set_autocast_dtype(device, s.dtype);
#else
  if (device == at::kCPU) {
    at::autocast::set_cpu_enabled(s.enabled);
    at::autocast::set_autocast_cpu_dtype(s.dtype);
  } else {
    at::autocast::set_enabled(s.enabled);
    at::autocast::set_autocast_gpu_dtype(s.dtype);
  }
#endif
  at::autocast::set_autocast_cache_enabled(s.cacheEnabled);
}

bool boolArg(const Napi::CallbackInfo& info, size_t i, const std::string& where, const char* name) {
  if (!info[i].IsBoolean()) throw ArgTypeError(where + ": " + name + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

// The autocast dtype of (device, code), checked against what this libtorch supports.
at::ScalarType lowPrecision(at::DeviceType device, const Napi::Value& v, const std::string& where) {
  if (!v.IsNumber()) throw ArgTypeError(where + ": dtype must be a dtype code (bfloat16 or float16)");
  auto dtype = static_cast<at::ScalarType>(v.As<Napi::Number>().Int32Value());
  if (dtype != at::kBFloat16 && dtype != at::kHalf) throw ArgRangeError(where + ": autocast dtype must be bfloat16 or float16");
#ifndef SIMCLR_CPU_FP16
  if (device == at::kCPU && dtype == at::kHalf) {
    throw ArgRangeError(where + ": CPU autocast in libtorch " TORCH_VERSION " supports bfloat16 only (float16 needs libtorch 2.4+)");
  }
#endif
  return dtype;
}

Napi::Value toJs(Napi::Env env, const State& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("enabled", s.enabled);
  o.Set("dtype", static_cast<double>(static_cast<int>(s.dtype)));
  o.Set("cacheEnabled", s.cacheEnabled);
  return o;
}

State fromJs(const Napi::Value& v, at::DeviceType device, const std::string& where) {
  if (!v.IsObject()) throw ArgTypeError(where + ": previous state must be the object autocastEnter returned");
  auto o = v.As<Napi::Object>();
  Napi::Value enabled = o.Get("enabled"), dtype = o.Get("dtype"), cache = o.Get("cacheEnabled");
  if (!enabled.IsBoolean() || !dtype.IsNumber() || !cache.IsBoolean()) {
    throw ArgTypeError(where + ": previous state needs boolean 'enabled', number 'dtype', boolean 'cacheEnabled'");
  }
  return {enabled.As<Napi::Boolean>().Value(), static_cast<at::ScalarType>(dtype.As<Napi::Number>().Int32Value()),
          cache.As<Napi::Boolean>().Value()};
}

}  // namespace

// AutocastState(device) -> { enabled, dtype, cacheEnabled } of this thread.
NAPI_ENTRY(AutocastState) { return toJs(info.Env(), read(deviceType(info[0], "autocastState"))); }

// AutocastEnter(device, enabled, dtype, cacheEnabled) -> the previous state: sets the state, counts one nesting level.
NAPI_ENTRY(AutocastEnter) {
  const std::string where = "autocastEnter";
  at::DeviceType device = deviceType(info[0], where);
  bool enabled = boolArg(info, 1, where, "enabled");
  at::ScalarType dtype = lowPrecision(device, info[2], where);
  bool cache = boolArg(info, 3, where, "cacheEnabled");
  if (enabled && device == at::kCUDA && !at::hasCUDA()) throw ArgRangeError(where + ": CUDA autocast needs a CUDA build of libtorch");
  State previous = read(device);
  write(device, {enabled, dtype, cache});
  at::autocast::increment_nesting();
  return toJs(info.Env(), previous);
}

// AutocastExit(device, previous) -> nesting depth left: restores `previous`; leaving the outermost region frees the
// cache of casted weights (as torch.autocast's __exit__).
NAPI_ENTRY(AutocastExit) {
  const std::string where = "autocastExit";
  at::DeviceType device = deviceType(info[0], where);
  State previous = fromJs(info[1], device, where);
  int depth = at::autocast::decrement_nesting();
  if (depth == 0) at::autocast::clear_cache();
  write(device, previous);
  return Napi::Number::New(info.Env(), depth);
}
