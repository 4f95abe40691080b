#!/usr/bin/python3
"""Reference trajectories for the optimisers: 5 steps on fixed parameters and gradients.

SGD and AdamW come from torch.optim (PyTorch 1.13, float32). LARS has no PyTorch reference: it is a float64
numpy transcription of google-research/simclr tf2/lars_optimizer.py (classic momentum). Run once with
/usr/bin/python3 and commit test/fixtures/optim/optim.safetensors; the cases are JSON in metadata 'config'.
"""
import json
import pathlib

import numpy as np
import torch

from safetensors_io import write

STEPS = 5
torch.manual_seed(7)
tensors, config = {}, {}

# Parameters and one gradient per step. The TS side sets Parameter flags per name (see 'flags').
SHAPES = {"w": (4, 3), "b": (3,), "z": (2, 2), "q": (3, 2)}
init = {k: torch.randn(*s) for k, s in SHAPES.items()}
init["z"].zero_()  # ||w|| = 0: LARS must use trust 1
grads = [{k: torch.randn(*s) for k, s in SHAPES.items()} for _ in range(STEPS)]
grads[2]["q"].zero_()  # ||g|| = 0 (q has no weight decay): trust 1
for k, v in init.items():
    tensors[f"init.{k}"] = v
for step, g in enumerate(grads):
    for k, v in g.items():
        tensors[f"grad{step}.{k}"] = v

# torch.optim cases: groups of parameter names with torch keyword options (python names).
TORCH_CASES = {
    "sgd_momentum_dampening": ("SGD", [{"params": ["w", "b"]}], {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}),
    "sgd_nesterov_wd": ("SGD", [{"params": ["w", "b"]}], {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    "sgd_plain_wd": ("SGD", [{"params": ["w", "b"]}], {"lr": 0.1, "weight_decay": 0.1}),
    "sgd_groups": ("SGD", [{"params": ["w"], "weight_decay": 0.05}, {"params": ["b"], "lr": 0.02, "momentum": 0.5}],
                   {"lr": 0.1, "momentum": 0.9}),
    "adamw_default": ("AdamW", [{"params": ["w", "b"]}], {"lr": 0.01}),
    "adamw_custom": ("AdamW", [{"params": ["w", "b"]}], {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    # Group without decay in torch = the TS parameter whose weightDecay flag is off.
    "adamw_excluded": ("AdamW", [{"params": ["w"]}, {"params": ["b"], "weight_decay": 0.0}], {"lr": 0.02, "weight_decay": 0.5}),
    "sgd_excluded": ("SGD", [{"params": ["w"]}, {"params": ["b"], "weight_decay": 0.0}], {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.2}),
}


def run_torch(name, kind, groups, options):
    params = {k: init[k].clone().requires_grad_(True) for g in groups for k in g["params"]}
    torch_groups = [{**g, "params": [params[k] for k in g["params"]]} for g in groups]
    opt = getattr(torch.optim, kind)(torch_groups, **options)
    for step in range(STEPS):
        for k, p in params.items():
            p.grad = grads[step][k].clone()
        opt.step()
        for k, p in params.items():
            tensors[f"{name}.step{step}.{k}"] = p.detach().clone()
    for index, state in opt.state_dict()["state"].items():
        for key, value in state.items():
            if key != "step" and value is not None:
                tensors[f"{name}.state.{index}.{key}"] = value.clone()
    config[name] = {"optimizer": kind, "groups": groups, "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}}


def lars_reference(lr, momentum, weight_decay, eta, nesterov, flags):
    """tf2/lars_optimizer.py _resource_apply_dense (classic_momentum=True) in float64 numpy."""
    w = {k: init[k].double().numpy().copy() for k in SHAPES}
    v = {k: np.zeros_like(w[k]) for k in SHAPES}
    trajectory = []
    for step in range(STEPS):
        for k in SHAPES:
            grad = grads[step][k].double().numpy().copy()
            if weight_decay and flags[k]["weightDecay"]:
                grad = grad + weight_decay * w[k]
            trust = 1.0
            if flags[k]["larsAdapt"]:
                w_norm, g_norm = np.linalg.norm(w[k]), np.linalg.norm(grad)
                trust = eta * w_norm / g_norm if (w_norm > 0 and g_norm > 0) else 1.0
            scaled_lr = lr * trust
            v[k] = momentum * v[k] + scaled_lr * grad
            update = momentum * v[k] + scaled_lr * grad if nesterov else v[k]
            w[k] = w[k] - update
        trajectory.append({k: torch.from_numpy(w[k].copy()) for k in SHAPES})
    return trajectory, v


LARS_FLAGS = {
    "w": {"weightDecay": True, "larsAdapt": True},
    "b": {"weightDecay": False, "larsAdapt": False},
    "z": {"weightDecay": True, "larsAdapt": True},
    "q": {"weightDecay": False, "larsAdapt": True},
}
LARS_CASES = {
    "lars": {"lr": 0.5, "momentum": 0.9, "weightDecay": 0.01, "eta": 0.001, "nesterov": False},
    "lars_nesterov": {"lr": 1.0, "momentum": 0.9, "weightDecay": 1e-4, "eta": 0.02, "nesterov": True},
}

for name, (kind, groups, options) in TORCH_CASES.items():
    run_torch(name, kind, groups, options)
for name, o in LARS_CASES.items():
    trajectory, v = lars_reference(o["lr"], o["momentum"], o["weightDecay"], o["eta"], o["nesterov"], LARS_FLAGS)
    for step, ws in enumerate(trajectory):
        for k, value in ws.items():
            tensors[f"{name}.step{step}.{k}"] = value
    for k, value in v.items():
        tensors[f"{name}.momentum.{k}"] = torch.from_numpy(value)
    config[name] = {"optimizer": "LARS", "options": o, "flags": LARS_FLAGS}

out = pathlib.Path(__file__).resolve().parent.parent / "test/fixtures/optim/optim.safetensors"
write(str(out), tensors, {"config": json.dumps(config), "torch": torch.__version__, "steps": str(STEPS)})
print(f"wrote {out} ({len(tensors)} tensors)")
