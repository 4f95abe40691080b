// Distributed entry points: create and shut down c10d process groups, in-place and differentiable collectives.
// Every call blocks the calling (JavaScript) thread until the collective completes, fails or times out.
#include <torch/csrc/autograd/variable.h>
#include <cmath>
#include "errors.h"
#include "process_group.h"
#include "tensor_handle.h"

using namespace simclr;

namespace {

double numberField(const Napi::Object& o, const char* key, double fallback, bool required) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) {
    if (required) throw ArgTypeError(std::string("initProcessGroup: option '") + key + "' is required");
    return fallback;
  }
  if (!v.IsNumber()) throw ArgTypeError(std::string("initProcessGroup: option '") + key + "' must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) throw ArgRangeError(std::string("initProcessGroup: option '") + key + "' must be an integer, got " + std::to_string(d));
  return d;
}

int64_t groupId(const Napi::CallbackInfo& info, const std::string& what) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw ArgTypeError(what + ": first argument must be a process group id");
  return info[0].As<Napi::Number>().Int64Value();
}

int intArg(const Napi::CallbackInfo& info, size_t i, const std::string& what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw ArgTypeError(what + ": argument " + std::to_string(i) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

ReduceKind reduceKind(const Napi::Value& v) {
  std::string op = v.IsString() ? v.As<Napi::String>().Utf8Value() : "sum";
  if (op == "sum") return ReduceKind::Sum;
  if (op == "max") return ReduceKind::Max;
  if (op == "min") return ReduceKind::Min;
  throw ArgRangeError("allReduce: op must be 'sum', 'max' or 'min', got '" + op + "'");
}

// c10d writes the tensor's memory directly: tell autograd it changed, as an in-place op would.
void markModified(at::Tensor& t) {
  if (t.requires_grad() || !t.is_leaf()) torch::autograd::impl::bump_version(t);
}

}  // namespace

// initProcessGroup({ rank, size, masterAddr, masterPort, timeoutMs, peerTimeoutMs, glooThreads }) -> group id
NAPI_ENTRY(DistInit) {
  if (info.Length() < 1 || !info[0].IsObject()) throw ArgTypeError("initProcessGroup: expected an options object");
  auto o = info[0].As<Napi::Object>();
  GroupOptions opts;
  opts.rank = static_cast<int>(numberField(o, "rank", 0, true));
  opts.size = static_cast<int>(numberField(o, "size", 1, true));
  Napi::Value addr = o.Get("masterAddr");
  if (!addr.IsString()) throw ArgTypeError("initProcessGroup: option 'masterAddr' must be a string");
  opts.masterAddr = addr.As<Napi::String>().Utf8Value();
  double port = numberField(o, "masterPort", 0, true);
  if (port < 1 || port > 65535) throw ArgRangeError("initProcessGroup: masterPort must be in [1, 65535], got " + std::to_string(port));
  opts.masterPort = static_cast<uint16_t>(port);
  double timeout = numberField(o, "timeoutMs", 300000, false);
  double peerTimeout = numberField(o, "peerTimeoutMs", 15000, false);
  if (timeout <= 0 || peerTimeout <= 0) throw ArgRangeError("initProcessGroup: timeoutMs and peerTimeoutMs must be > 0");
  opts.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout));
  opts.peerTimeout = std::chrono::milliseconds(static_cast<int64_t>(peerTimeout));
  opts.glooThreads = static_cast<int>(numberField(o, "glooThreads", 2, false));
  if (opts.size < 1) throw ArgRangeError("initProcessGroup: size must be >= 1, got " + std::to_string(opts.size));
  if (opts.rank < 0 || opts.rank >= opts.size) throw ArgRangeError("initProcessGroup: rank " + std::to_string(opts.rank) + " is outside [0, " + std::to_string(opts.size) + ")");
  if (opts.glooThreads < 1) throw ArgRangeError("initProcessGroup: glooThreads must be >= 1");
  auto group = std::make_shared<Group>(opts);
  return Napi::Number::New(info.Env(), static_cast<double>(registerGroup(group)));
}

// destroyProcessGroup(id): stops the heartbeat and closes the connections (rank 0 also closes the store).
NAPI_ENTRY(DistDestroy) {
  releaseGroup(groupId(info, "destroyProcessGroup"));
  return info.Env().Undefined();
}

// allReduce(id, tensor, op = 'sum'): in place.
NAPI_ENTRY(DistAllReduce) {
  auto group = groupById(groupId(info, "allReduce"), "allReduce");
  at::Tensor& t = unwrapTensor(info[1], "allReduce");
  group->allReduce(t, reduceKind(info.Length() > 2 ? info[2] : info.Env().Undefined()), "allReduce");
  markModified(t);
  return info.Env().Undefined();
}

// allGather(id, tensor) -> (size * N, ...) every rank's tensor in rank order (no gradient).
NAPI_ENTRY(DistAllGather) {
  auto group = groupById(groupId(info, "allGather"), "allGather");
  return wrapTensor(info.Env(), group->allGather(unwrapTensor(info[1], "allGather"), "allGather"));
}

// broadcast(id, tensor, root): in place, every rank ends with root's values.
NAPI_ENTRY(DistBroadcast) {
  auto group = groupById(groupId(info, "broadcast"), "broadcast");
  at::Tensor& t = unwrapTensor(info[1], "broadcast");
  group->broadcast(t, intArg(info, 2, "broadcast"), "broadcast");
  markModified(t);
  return info.Env().Undefined();
}

NAPI_ENTRY(DistBarrier) {
  groupById(groupId(info, "barrier"), "barrier")->barrier("barrier");
  return info.Env().Undefined();
}

// allReduceSumDiff(id, tensor) -> new tensor; its gradient is summed over ranks too.
NAPI_ENTRY(DistAllReduceSumDiff) {
  int64_t id = groupId(info, "allReduceSum");
  return wrapTensor(info.Env(), allReduceSumDiff(id, unwrapTensor(info[1], "allReduceSum")));
}

// allGatherDiff(id, tensor) -> (size * N, ...); backward returns this rank's slice of the rank-summed gradient.
NAPI_ENTRY(DistAllGatherDiff) {
  int64_t id = groupId(info, "allGather");
  return wrapTensor(info.Env(), allGatherDiff(id, unwrapTensor(info[1], "allGather")));
}

// backendFor(id, tensor) -> 'gloo' | 'nccl': the backend a collective on this tensor uses.
NAPI_ENTRY(DistBackendFor) {
  auto group = groupById(groupId(info, "backendFor"), "backendFor");
  return Napi::String::New(info.Env(), group->backendFor(unwrapTensor(info[1], "backendFor")));
}

// stats(id) -> { collectives, waitMs }: counters since the group was created.
NAPI_ENTRY(DistStats) {
  auto group = groupById(groupId(info, "stats"), "stats");
  auto out = Napi::Object::New(info.Env());
  out.Set("collectives", Napi::Number::New(info.Env(), static_cast<double>(group->collectives())));
  out.Set("waitMs", Napi::Number::New(info.Env(), group->waitMs()));
  return out;
}
