#!/usr/bin/python3
"""Reference values for the nn layers (Linear, Conv2d, BatchNorm1d/2d, a small Sequential), from PyTorch 1.13.

Run once with /usr/bin/python3 and commit the output: test/fixtures/nn/nn.safetensors (tensors, float32, named
'<case>.<what>') with the cases' options as JSON in the metadata entry 'config'.
"""
import json
import pathlib

import torch
import torch.nn as nn

from safetensors_io import write

torch.manual_seed(0)
tensors, config = {}, {}


def put(prefix, **named):
    for k, v in named.items():
        tensors[f"{prefix}.{k}"] = v.detach().clone().contiguous()


def linear_case():
    m = nn.Linear(5, 3)
    x = torch.randn(4, 5, requires_grad=True)
    y = m(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    put("linear", weight=m.weight, bias=m.bias, x=x, y=y, gy=gy, grad_weight=m.weight.grad, grad_bias=m.bias.grad, grad_x=x.grad)
    config["linear"] = {"inFeatures": 5, "outFeatures": 3}


CONV_CASES = [
    {"inChannels": 4, "outChannels": 6, "kernelSize": 3, "stride": 2, "padding": 1, "groups": 2, "dilation": 1, "bias": True, "hw": [7, 6]},
    {"inChannels": 3, "outChannels": 4, "kernelSize": 3, "stride": 1, "padding": 0, "groups": 1, "dilation": 1, "bias": False, "hw": [6, 6]},
    {"inChannels": 4, "outChannels": 4, "kernelSize": 3, "stride": 1, "padding": 2, "groups": 4, "dilation": 2, "bias": True, "hw": [5, 5]},
    {"inChannels": 2, "outChannels": 3, "kernelSize": 1, "stride": 2, "padding": 0, "groups": 1, "dilation": 1, "bias": True, "hw": [5, 4]},
]


def conv_cases():
    config["conv"] = CONV_CASES
    for i, c in enumerate(CONV_CASES):
        m = nn.Conv2d(c["inChannels"], c["outChannels"], c["kernelSize"], stride=c["stride"], padding=c["padding"],
                      dilation=c["dilation"], groups=c["groups"], bias=c["bias"])
        x = torch.randn(2, c["inChannels"], *c["hw"], requires_grad=True)
        y = m(x)
        gy = torch.randn_like(y)
        y.backward(gy)
        put(f"conv{i}", weight=m.weight, x=x, y=y, gy=gy, grad_weight=m.weight.grad, grad_x=x.grad)
        if c["bias"]:
            put(f"conv{i}", bias=m.bias, grad_bias=m.bias.grad)


def batchnorm_case(name, module, shape):
    """Three training steps (outputs and buffers after each), then eval mode on a fresh input."""
    with torch.no_grad():
        module.weight.copy_(torch.rand(module.num_features) + 0.5)
        module.bias.copy_(torch.randn(module.num_features))
    put(name, weight=module.weight, bias=module.bias)
    module.train()
    for step in range(3):
        x = torch.randn(*shape) * (step + 1.5) + 2.0
        y = module(x)
        put(name, **{f"x{step}": x, f"y{step}": y, f"running_mean{step}": module.running_mean,
                     f"running_var{step}": module.running_var, f"num_batches_tracked{step}": module.num_batches_tracked})
    module.eval()
    x = torch.randn(*shape) + 1.0
    put(name, x_eval=x, y_eval=module(x))
    config[name] = {"numFeatures": module.num_features, "momentum": module.momentum, "eps": module.eps, "shape": list(shape)}


def sequential_case():
    """A small CNN: its state_dict (keys in order) and outputs in train and eval mode."""
    m = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Sequential(nn.Conv2d(8, 8, 3, stride=2, padding=1, bias=True), nn.BatchNorm2d(8), nn.ReLU()),
        nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5),
    )
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_()
    state = {k: v.clone() for k, v in m.state_dict().items()}
    config["sequential"] = {"keys": list(state.keys())}
    for k, v in state.items():
        tensors[f"sequential.state.{k}"] = v
    x = torch.randn(4, 3, 8, 8)
    m.train()
    y_train = m(x)
    m.eval()
    y_eval = m(x)
    put("sequential", x=x, y_train=y_train, y_eval=y_eval, running_mean_after=m[1].running_mean)


linear_case()
conv_cases()
batchnorm_case("bn2d", nn.BatchNorm2d(3), (4, 3, 5, 5))
batchnorm_case("bn1d", nn.BatchNorm1d(5), (8, 5))
batchnorm_case("bn1d3", nn.BatchNorm1d(4), (3, 4, 6))
sequential_case()

out = pathlib.Path(__file__).resolve().parent.parent / "test/fixtures/nn/nn.safetensors"
write(str(out), tensors, {"config": json.dumps(config), "torch": torch.__version__})
print(f"wrote {out} ({len(tensors)} tensors)")
