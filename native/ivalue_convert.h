// JavaScript <-> c10::IValue conversion driven by an operator schema's argument and return types.
#pragma once
#include <napi.h>
#include <ATen/core/ivalue.h>
#include <ATen/core/function_schema.h>

namespace simclr {

// Converts one JavaScript argument to the IValue the schema argument expects.
// `where` names the operator and argument for error messages.
c10::IValue toIValue(const Napi::Value& value, const c10::Argument& arg, const std::string& where);
// Converts a returned IValue to JavaScript (tensors become handles, tuples and lists arrays).
Napi::Value fromIValue(Napi::Env env, const c10::IValue& value);
// Parses "cpu", "cuda", "cuda:1".
c10::Device parseDevice(const std::string& text);

}  // namespace simclr
