#!/usr/bin/python3
"""Reference trajectories for src/optim/grad_scaler.ts from PyTorch 1.13's own torch.cuda.amp.GradScaler.

GradScaler refuses to run without CUDA in 1.13, and its two kernels (_amp_foreach_non_finite_check_and_unscale_,
_amp_update_scale_) exist for CUDA only. So the scaler's Python state machine (unscale_/step/update, the state dict)
runs for real on CPU, with those two kernels replaced by Python transcriptions of
aten/src/ATen/native/cuda/AmpKernels.cu (double-precision factors, a float32 scale, no growth past float32's range)
and the CUDA-only assertion of its _MultiDeviceReplicator removed.
Each step sets the gradients to (true gradient) * scale, as backward of scale * loss would, poisons some entries
with inf/NaN, then step() + update() with SGD (momentum 0.9). Run once with /usr/bin/python3 and commit
test/fixtures/optim/grad_scaler.json.
"""
import json
import pathlib
import warnings

import torch


def check_and_unscale(grads, found_inf, inv_scale):
    for g in grads:
        if not bool(torch.isfinite(g).all()):
            found_inf.fill_(1.0)
        g.mul_(inv_scale)


def update_scale(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    s = float(scale.item())  # the kernel computes in double, then stores float32
    if float(found_inf.item()):
        scale.fill_(s * backoff_factor)
        growth_tracker.zero_()
    else:
        successful = int(growth_tracker.item()) + 1
        if successful == growth_interval:
            grown = torch.tensor(s * growth_factor, dtype=torch.float32)
            if bool(torch.isfinite(grown)):
                scale.copy_(grown)
            growth_tracker.zero_()
        else:
            growth_tracker.fill_(successful)
    return scale


def replicator_init(self, master_tensor):  # _MultiDeviceReplicator.__init__ less its is_cuda assertion
    self.master = master_tensor
    self._per_device_tensors = {}


torch._amp_foreach_non_finite_check_and_unscale_ = check_and_unscale
torch._amp_update_scale_ = update_scale
torch.cuda.amp.grad_scaler._MultiDeviceReplicator.__init__ = replicator_init


def make_scaler(**kwargs):
    available = torch.cuda.is_available
    torch.cuda.is_available = lambda: True  # only to get past the constructor's CUDA check
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scaler = torch.cuda.amp.GradScaler(**kwargs)
    finally:
        torch.cuda.is_available = available
    scaler._lazy_init_scale_growth_tracker(torch.device("cpu"))  # what scale(loss) would do on first use
    return scaler


def run_case(name, scaler_kwargs, steps, poisons, grad_factor=1.0):
    torch.manual_seed(len(name))
    init = {"w": torch.randn(4), "b": torch.randn(2)}
    true_grads = [{k: torch.randn_like(v) * grad_factor for k, v in init.items()} for _ in range(steps)]
    params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    opt = torch.optim.SGD(list(params.values()), lr=0.1, momentum=0.9)
    scaler = make_scaler(**scaler_kwargs)
    trace = []
    for step in range(steps):
        scale = scaler.get_scale()
        for k, p in params.items():
            p.grad = true_grads[step][k] * scale
        for (k, index, value) in poisons.get(step, []):
            params[k].grad[index] = float(value)
        scaler.step(opt)
        found = sum(v.item() for v in scaler._per_optimizer_states[id(opt)]["found_inf_per_device"].values())
        scaler.update()
        trace.append({
            "scale_before": scale, "stepped": not found, "scale_after": scaler.get_scale(),
            "growth_tracker": int(scaler._get_growth_tracker()), "params": {k: p.detach().tolist() for k, p in params.items()},
        })
    state = scaler.state_dict()
    return {
        "options": scaler_kwargs, "init": {k: v.tolist() for k, v in init.items()},
        "true_grads": [{k: v.tolist() for k, v in g.items()} for g in true_grads],
        "poisons": {str(s): [[k, i, v] for (k, i, v) in p] for s, p in poisons.items()},
        "trace": trace,
        "state_dict": {"scale": state["scale"], "growth_factor": state["growth_factor"], "backoff_factor": state["backoff_factor"],
                       "growth_interval": state["growth_interval"], "growth_tracker": state["_growth_tracker"]},
    }


cases = {
    "dynamic": run_case("dynamic", {"init_scale": 1024.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 3}, 12,
                        {2: [("w", 1, "inf")], 3: [("w", 0, "-inf")], 7: [("w", 3, "inf")], 9: [("b", 1, "nan")]}),
    "odd_factors": run_case("odd_factors", {"init_scale": 1000.0, "growth_factor": 1.5, "backoff_factor": 0.3, "growth_interval": 2}, 8,
                            {1: [("b", 0, "inf")], 5: [("w", 2, "nan")]}),
    # Growth from 2^127 would overflow float32: the scale stays. Tiny true gradients keep scale * g finite.
    "overflow": run_case("overflow", {"init_scale": 2.0 ** 127, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 1}, 3, {},
                         grad_factor=1e-30),
}
out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "optim" / "grad_scaler.json"
out.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
print(f"wrote {out}")
