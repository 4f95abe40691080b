// Tensor handles: creation, disposal, finalization and the live-tensor counters.
#include "tensor_handle.h"
#include "errors.h"
#include <algorithm>
#include <atomic>

namespace simclr {
namespace {

std::atomic<int64_t> liveCount{0};
std::atomic<int64_t> liveBytes{0};
// Tag that marks Externals made here, so a foreign External is never mistaken for a tensor.
const napi_type_tag kTensorTag = {0x5b1c1a2d0e7f4c11ULL, 0x9a3e6b8d2c4f7a01ULL};

// Bytes this handle accounts for: its own extent, at most its storage. A view (a narrow chunk of a feature bank,
// a row of a batch) then reports its slice, not its whole base storage again.
int64_t storageBytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return 0;
  auto own = static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size());
  return std::min(own, static_cast<int64_t>(t.storage().nbytes()));
}

void release(napi_env env, TensorBox* box) {
  if (box->freed) return;
  box->freed = true;
  box->tensor = at::Tensor();
  liveCount--;
  liveBytes -= box->reportedBytes;
  if (env != nullptr && box->reportedBytes != 0) {
    int64_t ignored;
    // May fail while the environment shuts down; the count above is what tests read.
    napi_adjust_external_memory(env, -box->reportedBytes, &ignored);
  }
  box->reportedBytes = 0;
}

void finalize(Napi::Env env, TensorBox* box) {
  release(env, box);
  delete box;
}

}  // namespace

Napi::Value wrapTensor(Napi::Env env, at::Tensor tensor) {
  if (!tensor.defined()) return env.Null();
  auto* box = new TensorBox{std::move(tensor), 0, false};
  box->reportedBytes = storageBytes(box->tensor);
  liveCount++;
  liveBytes += box->reportedBytes;
  if (box->reportedBytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, box->reportedBytes);
  auto external = Napi::External<TensorBox>::New(env, box, finalize);
  napi_type_tag_object(env, external, &kTensorTag);
  return external;
}

bool isTensorHandle(const Napi::Value& value) {
  if (!value.IsExternal()) return false;
  bool tagged = false;
  napi_check_object_type_tag(value.Env(), value, &kTensorTag, &tagged);
  return tagged;
}

at::Tensor& unwrapTensor(const Napi::Value& value, const std::string& what) {
  if (!isTensorHandle(value)) throw ArgTypeError(what + ": expected a Tensor");
  auto* box = value.As<Napi::External<TensorBox>>().Data();
  if (box->freed) throw ArgTypeError(what + ": tensor was used after dispose()");
  return box->tensor;
}

void freeTensor(Napi::Env env, const Napi::Value& value) {
  if (!isTensorHandle(value)) throw ArgTypeError("dispose: expected a Tensor");
  release(env, value.As<Napi::External<TensorBox>>().Data());
}

int64_t liveTensorCount() { return liveCount.load(); }
int64_t liveTensorBytes() { return liveBytes.load(); }

}  // namespace simclr
