// Handles to independent random generators (torch.Generator), so data augmentation and model
// initialisation draw from separate, separately checkpointed streams.
#pragma once
#include <napi.h>
#include <ATen/core/Generator.h>

namespace simclr {
bool isGeneratorHandle(const Napi::Value& value);
at::Generator& unwrapGenerator(const Napi::Value& value, const std::string& what);
}  // namespace simclr
