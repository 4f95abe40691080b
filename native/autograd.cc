// Autograd entry points: backward, .grad, requires_grad, grad mode and torch.autograd.grad.
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <ATen/ATen.h>
#include "errors.h"
#include "tensor_handle.h"

using namespace simclr;

namespace {
std::vector<at::Tensor> tensorArray(const Napi::Value& v, const std::string& where) {
  std::vector<at::Tensor> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throw ArgTypeError(where + ": expected an array of tensors");
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value item = a.Get(i);
    out.push_back(item.IsNull() ? at::Tensor() : unwrapTensor(item, where + "[" + std::to_string(i) + "]"));
  }
  return out;
}
bool flag(const Napi::CallbackInfo& info, size_t i) { return info.Length() > i && info[i].IsBoolean() && info[i].As<Napi::Boolean>().Value(); }
}  // namespace

// backward(tensor, gradient | null, retainGraph, createGraph)
NAPI_ENTRY(Backward) {
  at::Tensor& t = unwrapTensor(info[0], "backward");
  std::vector<at::Tensor> grads;
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) grads.push_back(unwrapTensor(info[1], "backward: gradient"));
  bool create = flag(info, 3);
  c10::optional<bool> retain = info.Length() > 2 && info[2].IsBoolean() ? c10::optional<bool>(flag(info, 2)) : c10::nullopt;
  torch::autograd::backward({t}, grads, retain, create);
  return info.Env().Undefined();
}

// grad(tensor) -> its accumulated .grad or null
NAPI_ENTRY(Grad) { return wrapTensor(info.Env(), unwrapTensor(info[0], "grad").grad()); }

// setGrad(tensor, grad | null): null clears it (zero_grad(set_to_none=True)).
// A gradient must match its tensor in shape, dtype and device, as PyTorch's `.grad =` setter checks: a 0-dim
// gradient would otherwise broadcast silently in the optimisers' in-place updates.
NAPI_ENTRY(SetGrad) {
  at::Tensor& t = unwrapTensor(info[0], "setGrad");
  if (info[1].IsNull() || info[1].IsUndefined()) {
    t.mutable_grad() = at::Tensor();
    return info.Env().Undefined();
  }
  at::Tensor& g = unwrapTensor(info[1], "setGrad: grad");
  if (!g.sizes().equals(t.sizes())) {
    throw ArgRangeError("setGrad: assigned grad has shape " + c10::str(g.sizes()) + " but the tensor has shape " + c10::str(t.sizes()));
  }
  if (g.scalar_type() != t.scalar_type()) {
    throw ArgTypeError(std::string("setGrad: assigned grad has dtype ") + c10::toString(g.scalar_type()) + " but the tensor has dtype " + c10::toString(t.scalar_type()));
  }
  if (g.device() != t.device()) {
    throw ArgTypeError("setGrad: assigned grad is on " + g.device().str() + " but the tensor is on " + t.device().str());
  }
  t.mutable_grad() = g;
  return info.Env().Undefined();
}

NAPI_ENTRY(SetRequiresGrad) {
  at::Tensor& t = unwrapTensor(info[0], "requiresGrad_");
  t.set_requires_grad(flag(info, 1));
  return info.Env().Undefined();
}

NAPI_ENTRY(IsLeaf) { return Napi::Boolean::New(info.Env(), unwrapTensor(info[0], "isLeaf").is_leaf()); }

// autogradGrad(outputs, inputs, gradOutputs | null, retainGraph, createGraph, allowUnused) -> (Tensor|null)[]
NAPI_ENTRY(AutogradGrad) {
  Napi::Env env = info.Env();
  auto outputs = tensorArray(info[0], "autogradGrad: outputs");
  auto inputs = tensorArray(info[1], "autogradGrad: inputs");
  auto gradOutputs = tensorArray(info[2], "autogradGrad: gradOutputs");
  c10::optional<bool> retain = info.Length() > 3 && info[3].IsBoolean() ? c10::optional<bool>(flag(info, 3)) : c10::nullopt;
  auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, retain, flag(info, 4), flag(info, 5));
  auto out = Napi::Array::New(env, grads.size());
  for (size_t i = 0; i < grads.size(); i++) out.Set(static_cast<uint32_t>(i), wrapTensor(env, grads[i]));
  return out;
}

// setGradEnabled(enabled) -> previous state
NAPI_ENTRY(SetGradEnabled) {
  bool previous = at::GradMode::is_enabled();
  at::GradMode::set_enabled(flag(info, 0));
  return Napi::Boolean::New(info.Env(), previous);
}

NAPI_ENTRY(IsGradEnabled) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); }
