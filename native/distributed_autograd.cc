// Differentiable collectives as custom autograd functions. The gradient of a collective is the matching collective
// of the gradient: all-reduce-sum -> all-reduce-sum; all-gather -> all-reduce-sum, then this rank's slice.
#include <torch/csrc/autograd/custom_function.h>
#include "process_group.h"

namespace simclr {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct AllReduceSumFn : public torch::autograd::Function<AllReduceSumFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, int64_t groupId) {
    ctx->saved_data["group"] = groupId;
    at::Tensor out = x.detach().clone(at::MemoryFormat::Contiguous);
    groupById(groupId, "allReduceSum")->allReduce(out, ReduceKind::Sum, "allReduceSum");
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto group = groupById(ctx->saved_data["group"].toInt(), "allReduceSum backward");
    at::Tensor g = grads[0].detach().clone(at::MemoryFormat::Contiguous);
    group->allReduce(g, ReduceKind::Sum, "allReduceSum backward");
    return {g, at::Tensor()};
  }
};

struct AllGatherFn : public torch::autograd::Function<AllGatherFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, int64_t groupId) {
    auto group = groupById(groupId, "allGather");
    ctx->saved_data["group"] = groupId;
    ctx->saved_data["rows"] = x.dim() > 0 ? x.size(0) : int64_t(0);
    return group->allGather(x, "allGather");
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto group = groupById(ctx->saved_data["group"].toInt(), "allGather backward");
    const int64_t rows = ctx->saved_data["rows"].toInt();
    at::Tensor g = grads[0].detach().clone(at::MemoryFormat::Contiguous);  // (size * N, ...)
    group->allReduce(g, ReduceKind::Sum, "allGather backward");
    return {g.narrow(0, group->rank() * rows, rows), at::Tensor()};  // (N, ...)
  }
};

}  // namespace

at::Tensor allReduceSumDiff(int64_t groupId, const at::Tensor& x) { return AllReduceSumFn::apply(x, groupId); }
at::Tensor allGatherDiff(int64_t groupId, const at::Tensor& x) { return AllGatherFn::apply(x, groupId); }

}  // namespace simclr
