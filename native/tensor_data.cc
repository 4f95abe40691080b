// Hand-written tensor entry points the bridge cannot serve: TypedArray <-> tensor copies,
// metadata queries and disposal.
#include <ATen/ATen.h>
#include "errors.h"
#include "ivalue_convert.h"
#include "tensor_handle.h"

using namespace simclr;

namespace {

at::ScalarType dtypeOfTypedArray(napi_typedarray_type type) {
  switch (type) {
    case napi_float32_array: return at::kFloat;
    case napi_float64_array: return at::kDouble;
    case napi_int32_array: return at::kInt;
    case napi_bigint64_array: return at::kLong;
    case napi_uint8_array: return at::kByte;
    case napi_int8_array: return at::kChar;
    case napi_int16_array: return at::kShort;
    default: throw ArgTypeError("fromTypedArray: unsupported TypedArray (use Float32/Float64/Int32/BigInt64/Uint8/Int8/Int16)");
  }
}

std::vector<int64_t> readShape(const Napi::Value& v, const std::string& where) {
  if (!v.IsArray()) throw ArgTypeError(where + ": shape must be an array of integers");
  auto array = v.As<Napi::Array>();
  std::vector<int64_t> shape;
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsNumber()) throw ArgTypeError(where + ": shape[" + std::to_string(i) + "] must be a number");
    double d = item.As<Napi::Number>().DoubleValue();
    if (d < 0 || std::trunc(d) != d) {
      throw ArgRangeError(where + ": shape[" + std::to_string(i) + "] must be a non-negative integer, got " + std::to_string(d));
    }
    shape.push_back(static_cast<int64_t>(d));
  }
  return shape;
}

// A dtype code from TypeScript: an integer naming one of the dtypes the tensor layer knows (dtype.ts).
at::ScalarType readScalarType(const Napi::Value& v, const std::string& where) {
  if (!v.IsNumber()) throw ArgTypeError(where + " must be a dtype code (a number)");
  double d = v.As<Napi::Number>().DoubleValue();
  static const std::vector<at::ScalarType> known = {
      at::kByte, at::kChar, at::kShort, at::kInt, at::kLong, at::kHalf, at::kFloat, at::kDouble, at::kBool, at::kBFloat16};
  for (auto type : known) {
    if (d == static_cast<double>(static_cast<int>(type))) return type;
  }
  throw ArgRangeError(where + ": unknown dtype code " + std::to_string(d));
}

}  // namespace

// fromTypedArray(data, shape, dtype?: number, device?: string) -> tensor (a copy of data).
NAPI_ENTRY(FromTypedArray) {
  if (!info[0].IsTypedArray()) throw ArgTypeError("fromTypedArray: data must be a TypedArray");
  auto typed = info[0].As<Napi::TypedArray>();
  auto shape = readShape(info[1], "fromTypedArray");
  int64_t numel = 1;
  for (auto s : shape) numel *= s;
  if (numel != static_cast<int64_t>(typed.ElementLength())) {
    throw ArgRangeError("fromTypedArray: shape " + c10::str(c10::IntArrayRef(shape)) + " holds " + std::to_string(numel) +
                        " elements but the array has " + std::to_string(typed.ElementLength()));
  }
  auto sourceType = dtypeOfTypedArray(typed.TypedArrayType());
  auto* data = static_cast<uint8_t*>(typed.ArrayBuffer().Data()) + typed.ByteOffset();
  at::Tensor t = numel == 0 ? at::empty(shape, at::TensorOptions().dtype(sourceType))
                            : at::from_blob(data, shape, at::TensorOptions().dtype(sourceType)).clone();
  if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
    auto target = readScalarType(info[2], "fromTypedArray: dtype");
    if (target != sourceType) t = t.to(target);
  }
  if (info.Length() > 3 && !info[3].IsUndefined() && !info[3].IsNull()) {
    if (!info[3].IsString()) throw ArgTypeError("fromTypedArray: device must be a string such as 'cpu' or 'cuda:0'");
    t = t.to(parseDevice(info[3].As<Napi::String>()));
  }
  return wrapTensor(info.Env(), t);
}

// toTypedArray(tensor) -> a TypedArray copy of the values (row-major). bool/uint8 -> Uint8Array,
// half/bfloat16 -> Float32Array, int64 -> BigInt64Array.
NAPI_ENTRY(ToTypedArray) {
  Napi::Env env = info.Env();
  at::Tensor t = unwrapTensor(info[0], "toTypedArray").detach().to(at::kCPU).contiguous();
  napi_typedarray_type type;
  switch (t.scalar_type()) {
    case at::kFloat: type = napi_float32_array; break;
    case at::kDouble: type = napi_float64_array; break;
    case at::kInt: type = napi_int32_array; break;
    case at::kLong: type = napi_bigint64_array; break;
    case at::kByte: case at::kBool: type = napi_uint8_array; t = t.to(at::kByte); break;
    case at::kChar: type = napi_int8_array; break;
    case at::kShort: type = napi_int16_array; break;
    case at::kHalf: case at::kBFloat16: type = napi_float32_array; t = t.to(at::kFloat); break;
    default: throw ArgTypeError(std::string("toTypedArray: unsupported dtype ") + c10::toString(t.scalar_type()));
  }
  size_t bytes = t.numel() * t.element_size();
  auto buffer = Napi::ArrayBuffer::New(env, bytes);
  if (bytes) std::memcpy(buffer.Data(), t.data_ptr(), bytes);
  napi_value result;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, t.numel(), buffer, 0, &result), Napi::Value());
  return Napi::Value(env, result);
}

// meta(tensor) -> [shape, dtype code, device string, requiresGrad]; one call for all metadata.
NAPI_ENTRY(TensorMeta) {
  Napi::Env env = info.Env();
  at::Tensor& t = unwrapTensor(info[0], "meta");
  auto sizes = t.sizes();
  auto shape = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) shape.Set(static_cast<uint32_t>(i), static_cast<double>(sizes[i]));
  auto out = Napi::Array::New(env, 4);
  out.Set(0u, shape);
  out.Set(1u, static_cast<double>(static_cast<int>(t.scalar_type())));
  out.Set(2u, t.device().str());
  out.Set(3u, t.requires_grad());
  return out;
}

NAPI_ENTRY(Shape) {
  Napi::Env env = info.Env();
  auto sizes = unwrapTensor(info[0], "shape").sizes();
  auto shape = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) shape.Set(static_cast<uint32_t>(i), static_cast<double>(sizes[i]));
  return shape;
}

NAPI_ENTRY(Dtype) {
  return Napi::Number::New(info.Env(), static_cast<int>(unwrapTensor(info[0], "dtype").scalar_type()));
}

NAPI_ENTRY(DeviceOf) { return Napi::String::New(info.Env(), unwrapTensor(info[0], "device").device().str()); }

NAPI_ENTRY(Strides) {
  Napi::Env env = info.Env();
  auto strides = unwrapTensor(info[0], "strides").strides();
  auto out = Napi::Array::New(env, strides.size());
  for (size_t i = 0; i < strides.size(); i++) out.Set(static_cast<uint32_t>(i), static_cast<double>(strides[i]));
  return out;
}

// item(tensor) -> number (or boolean for bool tensors); one element required.
NAPI_ENTRY(Item) {
  at::Tensor& t = unwrapTensor(info[0], "item");
  if (t.numel() != 1) throw ArgRangeError("item: tensor of shape " + c10::str(t.sizes()) + " has " + std::to_string(t.numel()) + " elements, expected 1");
  auto s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  return Napi::Number::New(info.Env(), s.toDouble());
}

NAPI_ENTRY(Dispose) {
  freeTensor(info.Env(), info[0]);
  return info.Env().Undefined();
}

NAPI_ENTRY(IsDisposed) {
  if (!isTensorHandle(info[0])) throw ArgTypeError("isDisposed: expected a Tensor");
  return Napi::Boolean::New(info.Env(), info[0].As<Napi::External<TensorBox>>().Data()->freed);
}

// Whether two handles refer to the same tensor (same TensorImpl).
NAPI_ENTRY(IsSame) {
  return Napi::Boolean::New(info.Env(), unwrapTensor(info[0], "isSame").is_same(unwrapTensor(info[1], "isSame")));
}

NAPI_ENTRY(LiveTensors) { return Napi::Number::New(info.Env(), static_cast<double>(liveTensorCount())); }
NAPI_ENTRY(LiveBytes) { return Napi::Number::New(info.Env(), static_cast<double>(liveTensorBytes())); }
