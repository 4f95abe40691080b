#!/usr/bin/python3
"""PyTorch side of bench/engine.ts: one supervised training step of ResNet-18 (CIFAR stem) with SGD.

Answers one JSON line per request on stdin ({"batch", "side", "steps", "warmup", "channels_last"}) with
{"images_per_s", "seconds"}. The model: torchvision resnet18 with a 3x3 stride-1 stem and no max-pool, fc to 10
classes; loss cross-entropy; optimiser SGD(lr 0.1, momentum 0.9, weight decay 5e-4) as the TypeScript side.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from pytorch_worker import serve, timed


def build() -> nn.Module:
    model = torchvision.models.resnet18(num_classes=10)
    model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    model.maxpool = nn.Identity()
    return model.train()


def run(req: dict, model: nn.Module) -> dict:
    fmt = torch.channels_last if req.get("channels_last") else torch.contiguous_format
    model.to(memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(req["batch"], 3, req["side"], req["side"]).contiguous(memory_format=fmt)
    y = torch.randint(0, 10, (req["batch"],))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return timed(step, req["warmup"], req["steps"], req["batch"])


if __name__ == "__main__":
    torch.manual_seed(0)
    model = build()
    serve(lambda req: run(req, model))
