// The generic operator bridge: any ATen operator, looked up by schema name through c10::Dispatcher,
// called boxed with arguments converted from the schema. Autograd works because the dispatcher routes
// through the Autograd key like any other caller.
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include "errors.h"
#include "ivalue_convert.h"
#include "tensor_handle.h"

namespace simclr {
namespace {

struct OpBox {
  c10::OperatorHandle handle;
  std::string name;  // "aten::conv2d" or "aten::add.Tensor"
};

const napi_type_tag kOpTag = {0x2d4f6a8c1e3b5d70ULL, 0x0f1e2d3c4b5a6978ULL};

OpBox* unwrapOp(const Napi::Value& v) {
  bool tagged = false;
  if (v.IsExternal()) napi_check_object_type_tag(v.Env(), v, &kOpTag, &tagged);
  if (!tagged) throw ArgTypeError("callOp: first argument must be an operator handle from findOp");
  return v.As<Napi::External<OpBox>>().Data();
}

}  // namespace
}  // namespace simclr

using namespace simclr;

// findOp(name: string, overload: string) -> operator handle; throws if no such schema.
NAPI_ENTRY(FindOp) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString()) throw ArgTypeError("findOp(name, overload): strings expected");
  std::string name = info[0].As<Napi::String>();
  std::string overload = info[1].As<Napi::String>();
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle) {
    throw ArgRangeError("no ATen operator " + name + (overload.empty() ? "" : "." + overload));
  }
  auto* box = new OpBox{*handle, overload.empty() ? name : name + "." + overload};
  auto external = Napi::External<OpBox>::New(env, box, [](Napi::Env, OpBox* b) { delete b; });
  napi_type_tag_object(env, external, &kOpTag);
  return external;
}

// opSchema(handle) -> the schema text, for messages and introspection.
NAPI_ENTRY(OpSchema) {
  auto* op = unwrapOp(info[0]);
  std::ostringstream out;
  out << op->handle.schema();
  return Napi::String::New(info.Env(), out.str());
}

// callOp(handle, args: unknown[]) -> result. Missing trailing arguments take the schema defaults.
// Results the schema marks as written in place (Tensor(a!)) come back as undefined: the caller
// already holds that tensor.
NAPI_ENTRY(CallOp) {
  Napi::Env env = info.Env();
  auto* op = unwrapOp(info[0]);
  if (!info[1].IsArray()) throw ArgTypeError(op->name + ": arguments must be an array");
  auto args = info[1].As<Napi::Array>();
  const auto& schema = op->handle.schema();
  const auto& formals = schema.arguments();
  if (args.Length() > formals.size()) {
    throw ArgTypeError(op->name + ": takes " + std::to_string(formals.size()) + " arguments, got " +
                       std::to_string(args.Length()));
  }
  torch::jit::Stack stack;
  stack.reserve(formals.size());
  for (size_t i = 0; i < formals.size(); i++) {
    const auto& formal = formals[i];
    Napi::Value given = i < args.Length() ? args.Get(static_cast<uint32_t>(i)) : env.Undefined();
    if (given.IsUndefined() && formal.default_value()) {
      stack.push_back(*formal.default_value());
      continue;
    }
    if (given.IsUndefined() && formal.type()->kind() != c10::TypeKind::OptionalType) {
      throw ArgTypeError(op->name + ": missing argument '" + formal.name() + "'");
    }
    stack.push_back(toIValue(given, formal, op->name + ": argument '" + formal.name() + "'"));
  }
  op->handle.callBoxed(&stack);
  const auto& returns = schema.returns();
  auto convertReturn = [&](size_t i) -> Napi::Value {
    const auto* alias = returns[i].alias_info();
    if (alias != nullptr && alias->isWrite()) return env.Undefined();
    return fromIValue(env, stack[i]);
  };
  if (returns.empty()) return env.Undefined();
  if (returns.size() == 1) return convertReturn(0);
  auto out = Napi::Array::New(env, returns.size());
  for (size_t i = 0; i < returns.size(); i++) out.Set(static_cast<uint32_t>(i), convertReturn(i));
  return out;
}
