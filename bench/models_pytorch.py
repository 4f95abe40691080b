#!/usr/bin/python3
"""PyTorch side of bench/models.ts: forward+backward images/s of the same ResNets, from torchvision.

Serves JSON requests on stdin, one per line ({"model", "width", "side", "batch", "steps", "warmup", "channels_last"}),
and answers one JSON line each ({"images_per_s", "images_per_cpu_s", "seconds"}), so the TypeScript bench can alternate runs without
paying Python's start-up each time. Thread count: --threads (set the same on both sides).
"""
import torch
import torch.nn as nn
import torchvision

from pytorch_worker import narrow, serve, timed


def build(depth: int, width: float, side: int) -> nn.Module:
    model = getattr(torchvision.models, f"resnet{depth}")()
    if side <= 32:  # CIFAR stem, as the SimCLR code
        model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        model.maxpool = nn.Identity()
    model.fc = nn.Identity()  # the encoder: pooled features
    return narrow(model, width) if width != 1 else model


def run(req: dict, cache: dict) -> dict:
    key = (req["depth"], req["width"], req["side"])
    if key not in cache:
        cache[key] = build(*key).train()
    model = cache[key]
    # As the TypeScript side: only the input changes layout. Converting the weights too (model.to(channels_last)) was
    # slower here, and switching one model back and forth between layouts slowed later NCHW runs 2.5x.
    fmt = torch.channels_last if req.get("channels_last") else torch.contiguous_format
    x = torch.randn(req["batch"], 3, req["side"], req["side"]).contiguous(memory_format=fmt)

    def step():
        model(x).sum().backward()
        model.zero_grad(set_to_none=True)

    return timed(step, req["warmup"], req["steps"], req["batch"])


if __name__ == "__main__":
    cache = {}
    serve(lambda req: run(req, cache))
