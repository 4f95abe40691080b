#!/usr/bin/python3
"""PyTorch side of bench/precision.ts: the pretraining step of bench/pretrain_step_pytorch.py in float32 or under
torch.autocast('cpu', dtype=torch.bfloat16) (forward only; NT-Xent and the linear head's loss in float32).

Serves JSON requests on stdin, one per line ({"width", "stem_stride", "side", "batch", "steps", "warmup",
"precision": "fp32" | "bf16"}), answering one JSON line each ({"images_per_s", "images_per_cpu_s", "seconds"}).
"""
import torch
import torch.nn.functional as F

from pretrain_step_pytorch import SimCLR, nt_xent
from pytorch_worker import serve, timed


def run(req: dict, cache: dict) -> dict:
    key = (req["width"], req["stem_stride"], req["precision"])
    if key not in cache:
        model = SimCLR(req["width"], req["stem_stride"]).train()
        cache[key] = (model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4))
    model, opt = cache[key]
    b, side = req["batch"], req["side"]
    views = torch.rand(2 * b, 1, side, side)
    labels = torch.randint(0, 10, (b,)).repeat(2)
    bf16 = req["precision"] == "bf16"

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            h = model.encoder(views)
            z = model.head(h)
            logits = model.linear(h.detach())
        loss = nt_xent(z.float(), 0.5) + F.cross_entropy(logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return timed(step, req["warmup"], req["steps"], b)


if __name__ == "__main__":
    cache = {}
    serve(lambda req: run(req, cache))
