// Converts C++ exceptions at every native entry point into JavaScript errors.
// libtorch's c10::Error becomes an Error with libtorch's message and no C++ backtrace.
#pragma once
#include <napi.h>
#include <c10/util/Exception.h>
#include <stdexcept>
#include <string>

namespace simclr {

// Thrown by argument conversion: becomes a JavaScript TypeError.
struct ArgTypeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Thrown for values of the right type but outside their domain: becomes a RangeError.
struct ArgRangeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename Fn>
Napi::Value guarded(const Napi::CallbackInfo& info, Fn&& fn) {
  Napi::Env env = info.Env();
  try {
    return fn(info);
  } catch (const Napi::Error&) {
    throw;  // already a JavaScript error
  } catch (const ArgTypeError& e) {
    throw Napi::TypeError::New(env, e.what());
  } catch (const ArgRangeError& e) {
    throw Napi::RangeError::New(env, e.what());
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  } catch (...) {
    throw Napi::Error::New(env, "unknown native error");
  }
}

}  // namespace simclr

// Declares a guarded N-API function: NAPI_ENTRY(name) { ...body using info... }
#define NAPI_ENTRY(name)                                             \
  static Napi::Value name##_impl(const Napi::CallbackInfo& info);    \
  Napi::Value name(const Napi::CallbackInfo& info) {                 \
    return simclr::guarded(info, name##_impl);                       \
  }                                                                  \
  static Napi::Value name##_impl(const Napi::CallbackInfo& info)
