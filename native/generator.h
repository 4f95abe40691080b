// Handles to independent random generators (torch.Generator), so data augmentation and model
// initialisation draw from separate, separately checkpointed streams.
#pragma once
#include <napi.h>
#include <ATen/core/Generator.h>

namespace simclr {
bool isGeneratorHandle(const Napi::Value& value);
at::Generator& unwrapGenerator(const Napi::Value& value, const std::string& what);
// A seed from JavaScript: a non-negative safe integer or a BigInt in [0, 2^64); anything else throws naming `what`.
uint64_t readSeed(const Napi::Value& value, const std::string& what);
}  // namespace simclr
