# Generates the tensor layer's reference fixtures from PyTorch: op inputs/outputs (ops.json) and a PyTorch-written
# safetensors file with its expected values. Run once with /usr/bin/python3 (torch 1.13); outputs are committed.
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "tensor")
DTYPE_NAMES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int64: "int64", torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8",
    torch.bool: "bool",
}
cases = []


def enc(t: torch.Tensor) -> dict:
    """A tensor as JSON: shape, dtype and flat row-major values (half types as their exact float values)."""
    flat = t.detach().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.double()
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": flat.tolist()}


def case(name, op, inputs, outputs, **args):
    cases.append({
        "name": name, "op": op, "args": args,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "outputs": {k: enc(v) for k, v in outputs.items()},
    })


def rn(*shape):
    return torch.randn(*shape)


def conv_cases():
    x, w, b = rn(2, 3, 6, 6), rn(4, 3, 3, 3), rn(4)
    case("conv2d_basic", "conv2d", {"x": x, "weight": w, "bias": b}, {"out": F.conv2d(x, w, b)})
    case("conv2d_stride2_pad1", "conv2d", {"x": x, "weight": w, "bias": b},
         {"out": F.conv2d(x, w, b, stride=2, padding=1)}, stride=2, padding=1)
    case("conv2d_dilation2_nobias", "conv2d", {"x": x, "weight": w},
         {"out": F.conv2d(x, w, None, padding=2, dilation=2)}, padding=2, dilation=2)
    x2, w2, b2 = rn(2, 4, 5, 5), rn(6, 2, 3, 3), rn(6)
    case("conv2d_groups2", "conv2d", {"x": x2, "weight": w2, "bias": b2},
         {"out": F.conv2d(x2, w2, b2, padding=1, groups=2)}, padding=1, groups=2)
    x3, w3 = rn(1, 4, 5, 6), rn(4, 1, 3, 3)
    case("conv2d_depthwise_pairs", "conv2d", {"x": x3, "weight": w3},
         {"out": F.conv2d(x3, w3, None, stride=(2, 1), padding=(1, 0), groups=4)}, stride=[2, 1], padding=[1, 0], groups=4)


def batch_norm_cases():
    for name, shape in (("4d", (4, 3, 3, 3)), ("2d", (6, 3))):
        x, weight, bias = rn(*shape), rn(3), rn(3)
        mean0, var0 = rn(3), torch.rand(3) + 0.5
        rm, rv = mean0.clone(), var0.clone()
        out = F.batch_norm(x, rm, rv, weight, bias, training=True, momentum=0.1, eps=1e-5)
        case(f"batch_norm_train_{name}", "batch_norm",
             {"x": x, "weight": weight, "bias": bias, "running_mean": mean0, "running_var": var0},
             {"out": out, "running_mean": rm, "running_var": rv}, training=True, momentum=0.1, eps=1e-5)
        out = F.batch_norm(x, mean0, var0, weight, bias, training=False, eps=1e-3)
        case(f"batch_norm_eval_{name}", "batch_norm",
             {"x": x, "weight": weight, "bias": bias, "running_mean": mean0, "running_var": var0},
             {"out": out, "running_mean": mean0, "running_var": var0}, training=False, momentum=0.1, eps=1e-3)


def pooling_cases():
    x = rn(2, 3, 7, 6)
    case("max_pool2d_k3s2p1", "max_pool2d", {"x": x}, {"out": F.max_pool2d(x, 3, 2, 1)}, kernel_size=3, stride=2, padding=1)
    case("max_pool2d_k2", "max_pool2d", {"x": x}, {"out": F.max_pool2d(x, 2)}, kernel_size=2)
    case("avg_pool2d_k2", "avg_pool2d", {"x": x}, {"out": F.avg_pool2d(x, 2)}, kernel_size=2)
    case("avg_pool2d_k3s1p1", "avg_pool2d", {"x": x}, {"out": F.avg_pool2d(x, 3, 1, 1)}, kernel_size=3, stride=1, padding=1)
    case("adaptive_avg_pool2d_1", "adaptive_avg_pool2d", {"x": x}, {"out": F.adaptive_avg_pool2d(x, 1)}, output_size=1)
    case("adaptive_avg_pool2d_3x2", "adaptive_avg_pool2d", {"x": x}, {"out": F.adaptive_avg_pool2d(x, (3, 2))}, output_size=[3, 2])


def softmax_cases():
    x = rn(4, 5) * 3
    case("softmax_dim1", "softmax", {"x": x}, {"out": F.softmax(x, 1)}, dim=1)
    case("softmax_dim0", "softmax", {"x": x}, {"out": F.softmax(x, 0)}, dim=0)
    case("log_softmax_dim1", "log_softmax", {"x": x}, {"out": F.log_softmax(x, 1)}, dim=1)
    x3 = rn(2, 3, 4)
    case("log_softmax_3d_last", "log_softmax", {"x": x3}, {"out": F.log_softmax(x3, -1)}, dim=-1)


def cross_entropy_cases():
    logits = rn(5, 4) * 2
    target = torch.tensor([0, 3, 1, 1, 2])
    soft = F.softmax(rn(5, 4), 1)
    weight = torch.rand(4) + 0.5
    hard = {"logits": logits, "target": target}
    for reduction in ("mean", "sum", "none"):
        case(f"cross_entropy_hard_{reduction}", "cross_entropy", hard,
             {"out": F.cross_entropy(logits, target, reduction=reduction)}, reduction=reduction)
    case("cross_entropy_hard_smoothing", "cross_entropy", hard,
         {"out": F.cross_entropy(logits, target, label_smoothing=0.1)}, label_smoothing=0.1)
    case("cross_entropy_hard_weight_smoothing", "cross_entropy", {**hard, "weight": weight},
         {"out": F.cross_entropy(logits, target, weight=weight, label_smoothing=0.2)}, label_smoothing=0.2)
    case("cross_entropy_ignore_index", "cross_entropy", hard,
         {"out": F.cross_entropy(logits, target, ignore_index=1)}, ignore_index=1)
    case("cross_entropy_soft", "cross_entropy", {"logits": logits, "target": soft},
         {"out": F.cross_entropy(logits, soft)})
    case("cross_entropy_soft_smoothing_none", "cross_entropy", {"logits": logits, "target": soft},
         {"out": F.cross_entropy(logits, soft, label_smoothing=0.3, reduction="none")}, label_smoothing=0.3, reduction="none")
    lp = F.log_softmax(logits, 1)
    case("nll_loss", "nll_loss", {"x": lp, "target": target}, {"out": F.nll_loss(lp, target)})
    a, b = rn(3, 4), rn(3, 4)
    case("mse_loss", "mse_loss", {"x": a, "target": b}, {"out": F.mse_loss(a, b)})


def normalize_cases():
    x = rn(4, 5)
    x[2] = 0.0  # a zero row: eps keeps it finite
    case("normalize_p2_dim1", "normalize", {"x": x}, {"out": F.normalize(x, dim=1)}, p=2, dim=1)
    case("normalize_p1_dim0", "normalize", {"x": x}, {"out": F.normalize(x, p=1, dim=0)}, p=1, dim=0)
    x4 = rn(2, 3, 2, 2)
    case("normalize_p3_eps", "normalize", {"x": x4}, {"out": F.normalize(x4, p=3, dim=1, eps=0.5)}, p=3, dim=1, eps=0.5)


def interpolate_cases():
    x = rn(2, 2, 4, 5)
    for mode in ("nearest", "bilinear", "bicubic"):
        case(f"interpolate_{mode}_size", "interpolate", {"x": x},
             {"out": F.interpolate(x, size=(7, 3), mode=mode)}, size=[7, 3], mode=mode)
        case(f"interpolate_{mode}_scale2", "interpolate", {"x": x},
             {"out": F.interpolate(x, scale_factor=2, mode=mode)}, scale_factor=2, mode=mode)
    for mode in ("bilinear", "bicubic"):
        case(f"interpolate_{mode}_align", "interpolate", {"x": x},
             {"out": F.interpolate(x, size=(6, 8), mode=mode, align_corners=True)}, size=[6, 8], mode=mode, align_corners=True)
    case("interpolate_bilinear_scale1.5", "interpolate", {"x": x},
         {"out": F.interpolate(x, scale_factor=1.5, mode="bilinear")}, scale_factor=1.5, mode="bilinear")


def grid_cases():
    theta = torch.tensor([[[0.8, 0.1, 0.05], [-0.2, 1.1, -0.1]], [[-1.0, 0.0, 0.2], [0.0, 0.7, 0.0]]])
    for align in (False, True):
        grid = F.affine_grid(theta, [2, 3, 4, 5], align_corners=align)
        case(f"affine_grid_align_{align}", "affine_grid", {"theta": theta}, {"out": grid},
             size=[2, 3, 4, 5], align_corners=align)
    x = rn(2, 3, 5, 6)
    grid = torch.rand(2, 4, 3, 2) * 2.4 - 1.2  # some points outside [-1, 1] exercise padding modes
    for mode in ("bilinear", "nearest", "bicubic"):
        for padding in ("zeros", "border", "reflection"):
            for align in (False, True):
                out = F.grid_sample(x, grid, mode=mode, padding_mode=padding, align_corners=align)
                case(f"grid_sample_{mode}_{padding}_{align}", "grid_sample", {"x": x, "grid": grid}, {"out": out},
                     mode=mode, padding_mode=padding, align_corners=align)
    grid = F.affine_grid(theta, [2, 3, 4, 4], align_corners=False)
    case("affine_grid_then_sample", "grid_sample", {"x": x, "grid": grid},
         {"out": F.grid_sample(x, grid, align_corners=False)}, mode="bilinear", padding_mode="zeros", align_corners=False)


def pad_cases():
    x = rn(1, 2, 3, 4)
    case("pad_constant", "pad", {"x": x}, {"out": F.pad(x, [1, 2, 0, 1], value=1.5)}, pads=[1, 2, 0, 1], mode="constant", value=1.5)
    case("pad_reflect_2d", "pad", {"x": x}, {"out": F.pad(x, [1, 2, 2, 0], mode="reflect")}, pads=[1, 2, 2, 0], mode="reflect")
    case("pad_replicate_2d", "pad", {"x": x}, {"out": F.pad(x, [2, 1, 1, 1], mode="replicate")}, pads=[2, 1, 1, 1], mode="replicate")
    case("pad_circular_2d", "pad", {"x": x}, {"out": F.pad(x, [1, 1, 2, 1], mode="circular")}, pads=[1, 1, 2, 1], mode="circular")
    x3 = rn(2, 3, 5)
    case("pad_reflect_1d", "pad", {"x": x3}, {"out": F.pad(x3, [2, 1], mode="reflect")}, pads=[2, 1], mode="reflect")


def reduction_cases():
    x = rn(3, 6)
    for largest in (True, False):
        v, i = torch.topk(x, 3, dim=-1, largest=largest)
        case(f"topk_largest_{largest}", "topk", {"x": x}, {"values": v, "indices": i}, k=3, dim=-1, largest=largest)
    v, i = torch.topk(x, 2, dim=0)
    case("topk_dim0", "topk", {"x": x}, {"values": v, "indices": i}, k=2, dim=0, largest=True)
    v, i = torch.sort(x, dim=1, descending=True)
    case("sort_desc", "sort", {"x": x}, {"values": v, "indices": i}, dim=1, descending=True)
    case("logsumexp_dim1", "logsumexp", {"x": x * 10}, {"out": torch.logsumexp(x * 10, 1)}, dim=1, keepdim=False)
    case("logsumexp_dim0_keep", "logsumexp", {"x": x}, {"out": torch.logsumexp(x, 0, keepdim=True)}, dim=0, keepdim=True)
    case("var_dim1_unbiased", "var", {"x": x}, {"out": x.var(1)}, dim=1, unbiased=True)
    case("var_dim0_biased_keep", "var", {"x": x}, {"out": x.var(0, unbiased=False, keepdim=True)}, dim=0, unbiased=False, keepdim=True)
    case("var_all", "var", {"x": x}, {"out": x.var()}, unbiased=True)
    case("std_dim1", "std", {"x": x}, {"out": x.std(1)}, dim=1, unbiased=True)
    case("norm_p2_all", "norm", {"x": x}, {"out": torch.linalg.vector_norm(x)}, p=2)
    case("norm_p1_dim1", "norm", {"x": x}, {"out": torch.linalg.vector_norm(x, 1, dim=1)}, p=1, dim=1)
    case("norm_p3_dim0_keep", "norm", {"x": x}, {"out": torch.linalg.vector_norm(x, 3, dim=0, keepdim=True)}, p=3, dim=0, keepdim=True)
    case("sum_dims", "sum", {"x": x}, {"out": x.sum([0, 1])}, dim=[0, 1])
    case("mean_dim1_keep", "mean", {"x": x}, {"out": x.mean(1, keepdim=True)}, dim=1, keepdim=True)
    v, i = x.max(1)
    case("max_dim1", "max", {"x": x}, {"values": v, "indices": i}, dim=1)


def index_cases():
    x = rn(3, 5)
    idx = torch.tensor([[0, 4, 4], [1, 1, 0], [3, 2, 1]])
    case("gather_dim1", "gather", {"x": x, "index": idx}, {"out": x.gather(1, idx)}, dim=1)
    perm = torch.stack([torch.randperm(5)[:3] for _ in range(3)])  # unique per row: scatter is deterministic
    src = rn(3, 3)
    case("scatter_src_dim1", "scatter", {"x": x, "index": perm, "src": src}, {"out": x.scatter(1, perm, src)}, dim=1)
    case("scatter_value_dim1", "scatter", {"x": x, "index": perm}, {"out": x.scatter(1, perm, -7.25)}, dim=1, value=-7.25)
    case("scatter_add_dim1", "scatter_add", {"x": x, "index": idx, "src": src}, {"out": x.scatter_add(1, idx, src)}, dim=1)
    sel = torch.tensor([2, 0, 2])
    case("index_select_dim0", "index_select", {"x": x, "index": sel}, {"out": x.index_select(0, sel)}, dim=0)


def matmul_cases():
    a, b = rn(3, 4), rn(4, 5)
    case("matmul_2d", "matmul", {"a": a, "b": b}, {"out": a @ b})
    a3, b3 = rn(2, 3, 4), rn(1, 4, 2)
    case("matmul_batched_broadcast", "matmul", {"a": a3, "b": b3}, {"out": a3 @ b3})
    v = rn(4)
    case("matmul_vec_mat", "matmul", {"a": v, "b": b}, {"out": v @ b})
    case("matmul_3d_2d", "matmul", {"a": a3, "b": b}, {"out": a3 @ b})
    x, w, bias = rn(5, 4), rn(3, 4), rn(3)
    case("linear", "linear", {"x": x, "weight": w, "bias": bias}, {"out": F.linear(x, w, bias)})


def ops_fixture():
    torch.manual_seed(0)
    for make in (conv_cases, batch_norm_cases, pooling_cases, softmax_cases, cross_entropy_cases, normalize_cases,
                 interpolate_cases, grid_cases, pad_cases, reduction_cases, index_cases, matmul_cases):
        make()
    with open(os.path.join(OUT, "ops.json"), "w") as f:
        json.dump({"generator": "scripts/make_tensor_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
    print(f"ops.json: {len(cases)} cases")


def rng_fixture():
    """Draws after torch.manual_seed and from a seeded Generator: the same libtorch CPU generator (mt19937) must reproduce them."""
    torch.manual_seed(0)
    draws = {"randn": torch.randn(6), "rand": torch.rand(5), "randint": torch.randint(0, 10, (6,)), "randperm": torch.randperm(8)}
    draws["randn_f64"] = torch.randn(3, dtype=torch.float64)
    g = torch.Generator().manual_seed(3)
    draws["generator_randn"] = torch.randn(4, generator=g)
    draws["generator_rand"] = torch.rand(3, generator=g)
    with open(os.path.join(OUT, "rng.json"), "w") as f:
        json.dump({"seed": 0, "generator_seed": 3, "draws": {k: enc(v) for k, v in draws.items()}}, f, indent=1)
    print(f"rng.json: {len(draws)} draws")


def safetensors_fixture():
    torch.manual_seed(1)
    tensors = {
        "f32": torch.randn(2, 3),
        "f64": torch.tensor([1 / 3, -2.5e-300, 1e300, 5e-324, 0.0], dtype=torch.float64),
        "f16": torch.tensor([1.5, -2.0, 65504.0, 6.1e-5, 0.1], dtype=torch.float16),
        "bf16": torch.tensor([[1.5, -3.14159], [1e30, -0.0]], dtype=torch.bfloat16),
        "i64": torch.tensor([[2 ** 40 + 1, -(2 ** 50)], [0, -1]], dtype=torch.int64),
        "i32": torch.tensor([2 ** 31 - 1, -(2 ** 31), 7], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, 5], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
        "bool": torch.tensor([[True, False, True]]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
        "encoder.layer1.0.conv1.weight": torch.randn(2, 1, 3, 3),
    }
    metadata = {"format": "pt", "step": "12", "note": "written by scripts/safetensors_io.py from torch"}
    path = os.path.join(OUT, "torch_written.safetensors")
    safetensors_io.write(path, tensors, metadata)
    back, meta = safetensors_io.read(path)
    assert meta == metadata and all(torch.equal(back[k], v) for k, v in tensors.items()), "python round trip failed"
    expected = {"tensors": {k: enc(v) for k, v in tensors.items()}, "metadata": metadata}
    with open(os.path.join(OUT, "torch_written.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(f"torch_written.safetensors: {len(tensors)} tensors")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    ops_fixture()
    rng_fixture()
    safetensors_fixture()
