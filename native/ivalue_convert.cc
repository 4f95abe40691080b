// Schema-driven argument conversion for the generic operator bridge.
#include "ivalue_convert.h"
#include "errors.h"
#include "tensor_handle.h"
#include "generator.h"
#include <cmath>

namespace simclr {
namespace {

std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return "boolean";
  if (v.IsNumber()) return "number";
  if (v.IsBigInt()) return "bigint";
  if (v.IsString()) return "string";
  if (v.IsArray()) return "array";
  if (isTensorHandle(v)) return "Tensor";
  if (isGeneratorHandle(v)) return "Generator";
  if (v.IsExternal()) return "external";
  if (v.IsFunction()) return "function";
  return "object";
}

// A schema type as a JavaScript caller reads it. SymInt (a size libtorch may trace symbolically) is a plain integer from
// JavaScript, and libtorch 2.x schemas write SymInt where 1.13 wrote int: printing int keeps messages the same on both.
std::string typeName(const c10::TypePtr& type) {
  std::string s = type->str();
  for (size_t at = s.find("SymInt"); at != std::string::npos; at = s.find("SymInt", at)) s.replace(at, 6, "int");
  return s;
}

[[noreturn]] void mismatch(const std::string& where, const c10::TypePtr& type, const Napi::Value& v) {
  throw ArgTypeError(where + ": expected " + typeName(type) + ", got " + describe(v));
}

int64_t toInt(const Napi::Value& v, const c10::TypePtr& type, const std::string& where) {
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t out = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw ArgRangeError(where + ": bigint does not fit in int64");
    return out;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  if (!v.IsNumber()) mismatch(where, type, v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) throw ArgTypeError(where + ": expected an integer, got " + std::to_string(d));
  if (std::fabs(d) > 9007199254740992.0) throw ArgRangeError(where + ": integer beyond 2^53 (pass a bigint)");
  return static_cast<int64_t>(d);
}

double toDouble(const Napi::Value& v, const c10::TypePtr& type, const std::string& where) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) {
    bool lossless = false;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1.0 : 0.0;
  mismatch(where, type, v);
}

// A Scalar keeps JavaScript integers integral so integer tensors stay integral (as Python ints do).
c10::Scalar toScalar(const Napi::Value& v, const c10::TypePtr& type, const std::string& where) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsBigInt()) return c10::Scalar(toInt(v, type, where));
  if (!v.IsNumber()) mismatch(where, type, v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0) {
    return c10::Scalar(static_cast<int64_t>(d));
  }
  return c10::Scalar(d);
}

c10::IValue toList(const Napi::Value& v, const c10::Argument& arg, const c10::ListTypePtr& listType,
                   const std::string& where) {
  const auto& elem = listType->getElementType();
  auto kind = elem->kind();
  bool intLike = kind == c10::TypeKind::IntType || kind == c10::TypeKind::SymIntType;
  // Like Python: a single number stands for a list of N copies (stride=2 means [2, 2]).
  if (!v.IsArray()) {
    bool broadcasts = (intLike || kind == c10::TypeKind::FloatType) && arg.N();
    bool numeric = v.IsNumber() || v.IsBigInt() || v.IsBoolean();
    if (broadcasts && numeric) {
      if (intLike) return c10::IValue(std::vector<int64_t>(*arg.N(), toInt(v, elem, where)));
      return c10::IValue(std::vector<double>(*arg.N(), toDouble(v, elem, where)));
    }
    if (broadcasts) {
      throw ArgTypeError(where + ": expected " + typeName(elem) + " or " + typeName(elem) + "[" + std::to_string(*arg.N()) + "], got " + describe(v));
    }
    mismatch(where, listType, v);
  }
  auto array = v.As<Napi::Array>();
  uint32_t n = array.Length();
  auto itemWhere = [&](uint32_t i) { return where + "[" + std::to_string(i) + "]"; };
  if (intLike) {
    c10::List<int64_t> out;
    out.reserve(n);
    for (uint32_t i = 0; i < n; i++) out.push_back(toInt(array.Get(i), elem, itemWhere(i)));
    return out;
  }
  if (kind == c10::TypeKind::FloatType) {
    c10::List<double> out;
    for (uint32_t i = 0; i < n; i++) out.push_back(toDouble(array.Get(i), elem, itemWhere(i)));
    return out;
  }
  if (kind == c10::TypeKind::BoolType) {
    c10::List<bool> out;
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value item = array.Get(i);
      if (!item.IsBoolean()) mismatch(itemWhere(i), elem, item);
      out.push_back(item.As<Napi::Boolean>().Value());
    }
    return out;
  }
  if (kind == c10::TypeKind::TensorType) {
    c10::List<at::Tensor> out;
    out.reserve(n);
    for (uint32_t i = 0; i < n; i++) out.push_back(unwrapTensor(array.Get(i), itemWhere(i)));
    return out;
  }
  if (kind == c10::TypeKind::OptionalType &&
      elem->castRaw<c10::OptionalType>()->getElementType()->kind() == c10::TypeKind::TensorType) {
    c10::List<c10::optional<at::Tensor>> out;
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value item = array.Get(i);
      if (item.IsNull() || item.IsUndefined()) out.push_back(c10::nullopt);
      else out.push_back(unwrapTensor(item, itemWhere(i)));
    }
    return out;
  }
  throw ArgTypeError(where + ": list type " + typeName(listType) + " is not supported by the bridge");
}

c10::IValue convert(const Napi::Value& v, const c10::Argument& arg, const c10::TypePtr& type,
                    const std::string& where) {
  switch (type->kind()) {
    case c10::TypeKind::OptionalType:
      if (v.IsUndefined() || v.IsNull()) return c10::IValue();
      return convert(v, arg, type->castRaw<c10::OptionalType>()->getElementType(), where);
    case c10::TypeKind::TensorType:
      return unwrapTensor(v, where);
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType:
      return toInt(v, type, where);
    case c10::TypeKind::FloatType:
      return toDouble(v, type, where);
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) mismatch(where, type, v);
      return v.As<Napi::Boolean>().Value();
    case c10::TypeKind::NumberType:
      return toScalar(v, type, where);
    case c10::TypeKind::StringType:
      if (!v.IsString()) mismatch(where, type, v);
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::DeviceObjType:
      if (!v.IsString()) mismatch(where, type, v);
      return parseDevice(v.As<Napi::String>().Utf8Value());
    case c10::TypeKind::GeneratorType:
      return unwrapGenerator(v, where);
    case c10::TypeKind::ListType:
      return toList(v, arg, type->cast<c10::ListType>(), where);
    default:
      throw ArgTypeError(where + ": argument type " + typeName(type) + " is not supported by the bridge");
  }
}

}  // namespace

c10::Device parseDevice(const std::string& text) {
  try {
    return c10::Device(text);
  } catch (const c10::Error&) {
    throw ArgRangeError("invalid device '" + text + "' (expected cpu, cuda or cuda:N)");
  }
}

c10::IValue toIValue(const Napi::Value& value, const c10::Argument& arg, const std::string& where) {
  // real_type keeps ScalarType/Layout/MemoryFormat apart from plain ints where the schema says so.
  return convert(value, arg, arg.real_type(), where);
}

Napi::Value fromIValue(Napi::Env env, const c10::IValue& value) {
  if (value.isTensor()) return wrapTensor(env, value.toTensor());
  if (value.isNone()) return env.Null();
  if (value.isInt()) return Napi::Number::New(env, static_cast<double>(value.toInt()));
  if (value.isDouble()) return Napi::Number::New(env, value.toDouble());
  if (value.isBool()) return Napi::Boolean::New(env, value.toBool());
  if (value.isString()) return Napi::String::New(env, value.toStringRef());
  if (value.isScalar()) {
    auto s = value.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    return Napi::Number::New(env, s.toDouble());
  }
  if (value.isTuple()) {
    const auto& items = value.toTupleRef().elements();
    auto out = Napi::Array::New(env, items.size());
    for (size_t i = 0; i < items.size(); i++) out.Set(static_cast<uint32_t>(i), fromIValue(env, items[i]));
    return out;
  }
  if (value.isList()) {
    auto list = value.toListRef();
    auto out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) out.Set(static_cast<uint32_t>(i), fromIValue(env, list[i]));
    return out;
  }
  if (value.isDevice()) return Napi::String::New(env, value.toDevice().str());
  throw std::runtime_error(std::string("cannot convert a returned ") + value.tagKind() + " to JavaScript");
}

}  // namespace simclr
