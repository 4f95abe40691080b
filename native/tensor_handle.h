// A JavaScript handle to one at::Tensor: an External whose finalizer frees the tensor if JavaScript
// never disposed it. Bytes are reported to V8 so garbage collection sees native memory.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>

namespace simclr {

struct TensorBox {
  at::Tensor tensor;
  int64_t reportedBytes = 0;
  bool freed = false;
};

// Wraps a tensor in a new handle (undefined tensors become null).
Napi::Value wrapTensor(Napi::Env env, at::Tensor tensor);
// Returns the tensor behind a handle; throws a TypeError naming `what` when it is not a live handle.
at::Tensor& unwrapTensor(const Napi::Value& value, const std::string& what);
bool isTensorHandle(const Napi::Value& value);
// Frees the tensor now (dispose); the handle object stays until garbage collection.
void freeTensor(Napi::Env env, const Napi::Value& value);

int64_t liveTensorCount();
int64_t liveTensorBytes();

}  // namespace simclr
