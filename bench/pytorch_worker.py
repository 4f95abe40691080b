"""Shared plumbing of the PyTorch sides of the benchmarks (engine, models, pretrain step).

A worker reads one JSON request per line on stdin and answers one JSON line each, so the TypeScript bench can
alternate runs without paying Python's start-up; `--threads` sets the same intra-op thread count as the other side.
"""
import argparse
import json
import sys
import time
from typing import Callable

import torch
import torch.nn as nn


def narrow(model: nn.Module, width: float, keep_channels: int = 3) -> nn.Module:
    """Scales every conv/BN channel count by `width` (a width multiplier); `keep_channels` input channels stay as they are."""
    scale = lambda c: c if c == keep_channels else max(1, round(c * width))  # noqa: E731
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d):
                setattr(parent, name, nn.Conv2d(scale(child.in_channels), scale(child.out_channels), child.kernel_size,
                                                child.stride, child.padding, bias=child.bias is not None))
            elif isinstance(child, nn.BatchNorm2d):
                setattr(parent, name, nn.BatchNorm2d(scale(child.num_features)))
    return model


def timed(step: Callable[[], None], warmup: int, steps: int, batch: int, sync: Callable[[], None] = lambda: None) -> dict:
    """Runs `warmup` untimed then `steps` timed steps of `batch` images: wall and CPU throughput. `sync` waits for
    queued device work (torch.cuda.synchronize on a GPU) so the clock stops when the steps have really run."""
    for _ in range(warmup):
        step()
    sync()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    sync()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return {"images_per_s": steps * batch / seconds, "images_per_cpu_s": steps * batch / cpu_seconds, "seconds": seconds}


def serve(run: Callable[[dict], dict]) -> None:
    """Sets the thread count from --threads, says it is ready, then answers requests until stdin closes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    torch.set_num_threads(parser.parse_args().threads)
    torch.manual_seed(0)
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=True)
