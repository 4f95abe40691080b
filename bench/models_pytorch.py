#!/usr/bin/python3
"""PyTorch side of bench/models.ts: forward+backward images/s of the same ResNets, from torchvision.

Serves JSON requests on stdin, one per line ({"model", "width", "side", "batch", "steps", "warmup", "channels_last"}),
and answers one JSON line each ({"images_per_s", "images_per_cpu_s", "seconds"}), so the TypeScript bench can alternate runs without
paying Python's start-up each time. Thread count: --threads (set the same on both sides).
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torchvision


def narrow(model: nn.Module, width: float) -> nn.Module:
    """Scales every conv/BN channel count by `width` (input channels stay 3), as a width multiplier."""
    scale = lambda c: c if c == 3 else max(1, round(c * width))  # noqa: E731
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d):
                setattr(parent, name, nn.Conv2d(scale(child.in_channels), scale(child.out_channels), child.kernel_size,
                                                child.stride, child.padding, bias=child.bias is not None))
            elif isinstance(child, nn.BatchNorm2d):
                setattr(parent, name, nn.BatchNorm2d(scale(child.num_features)))
    return model


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

    for _ in range(req["warmup"]):
        step()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(req["steps"]):
        step()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    images = req["steps"] * req["batch"]
    return {"images_per_s": images / seconds, "images_per_cpu_s": images / cpu_seconds, "seconds": seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    torch.set_num_threads(parser.parse_args().threads)
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    cache = {}
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line), cache)), flush=True)


if __name__ == "__main__":
    main()
