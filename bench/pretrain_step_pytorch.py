#!/usr/bin/python3
"""PyTorch side of bench/pretrain_step.ts: the same SimCLR pretraining step in PyTorch from Python.

ResNet-18 (torchvision, narrowed by a width multiplier, grayscale 3x3 stem with stride 1 or 2, no max-pool), the
SimCLRv2 3-layer projection head (Linear + BN (+ ReLU)), NT-Xent on both views, an online linear head on detached
features, SGD with momentum and weight decay. The forward optionally under torch.autocast (bf16; NT-Xent and the
linear head's loss in float32), on the CPU or a GPU. Serves JSON requests on stdin, one per line ({"width",
"stem_stride", "side", "batch", "steps", "warmup", and optionally "precision": "fp32" | "bf16", "device": "cpu" |
"cuda"}), answering one JSON line each ({"images_per_s", "images_per_cpu_s", "seconds"}). Also bench/precision.ts's
PyTorch side.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from pytorch_worker import narrow, serve, timed


class SimCLR(nn.Module):
    def __init__(self, width: float, stem_stride: int, out_dim: int = 128, classes: int = 10):
        super().__init__()
        enc = torchvision.models.resnet18()
        enc.conv1 = nn.Conv2d(64, 64, 3, stem_stride, 1, bias=False)  # narrowed below, then given 1 input channel
        enc.maxpool = nn.Identity()
        enc.fc = nn.Identity()
        enc = narrow(enc, width, keep_channels=-1)
        c = enc.bn1.num_features
        enc.conv1 = nn.Conv2d(1, c, 3, stem_stride, 1, bias=False)
        self.encoder = enc
        feats = enc.layer4[-1].bn2.num_features
        layers = []
        for i in range(3):  # SimCLRv2 head: Linear (no bias) + BN, ReLU except after the last
            last = i == 2
            layers += [nn.Linear(feats, out_dim if last else feats, bias=False), nn.BatchNorm1d(out_dim if last else feats)]
            if not last:
                layers.append(nn.ReLU())
        self.head = nn.Sequential(*layers)
        self.linear = nn.Linear(feats, classes)


def nt_xent(z: torch.Tensor, temperature: float) -> torch.Tensor:
    z = F.normalize(z, dim=1)
    n = z.shape[0] // 2
    logits = z @ z.t() / temperature
    logits.fill_diagonal_(float("-inf"))
    labels = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(logits, labels)


def run(req: dict, cache: dict) -> dict:
    device = torch.device(req.get("device", "cpu"))
    bf16 = req.get("precision", "fp32") == "bf16"
    key = (req["width"], req["stem_stride"], str(device), bf16)
    if key not in cache:
        model = SimCLR(req["width"], req["stem_stride"]).train().to(device)
        cache[key] = (model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4))
    model, opt = cache[key]
    b, side = req["batch"], req["side"]
    views = torch.rand(2 * b, 1, side, side, device=device)
    labels = torch.randint(0, 10, (b,), device=device).repeat(2)

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            h = model.encoder(views)
            z = model.head(h)
            logits = model.linear(h.detach())
        loss = nt_xent(z.float(), 0.5) + F.cross_entropy(logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    return timed(step, req["warmup"], req["steps"], b, sync)


if __name__ == "__main__":
    cache = {}
    serve(lambda req: run(req, cache))
