# Reference for bench/augment.ts: torchvision's per-image SimCLR pipeline (two views per image, collated into
# batches) on the same images and thread count; optionally a ResNet-18 (CIFAR stem) pretraining step time.
# Usage: /usr/bin/python3 bench/augment_torchvision.py --threads 2 [--step] ; prints one JSON object per line.
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'


def simclr_transform(size, strength, blur, gray_input):
    s = strength
    ops = [
        T.RandomResizedCrop(size, scale=(0.08, 1.0), interpolation=T.InterpolationMode.BICUBIC),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
    ]
    if not gray_input:
        ops.append(T.RandomGrayscale(p=0.2))
    if blur:
        k = 2 * ((size // 10) // 2) + 1
        ops.append(T.RandomApply([T.GaussianBlur(k, sigma=(0.1, 2.0))], p=0.5))
    ops.append(T.ToTensor())
    return T.Compose(ops)


def images(kind, n, size):
    rng = np.random.default_rng(0)
    if kind == 'fashion':
        with gzip.open(FASHION) as f:
            data = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
        return [Image.fromarray(a, 'L') for a in data[:n]]
    return [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), 'RGB') for _ in range(n)]


def bench(name, kind, size, batch, batches, strength, blur):
    pil = images(kind, batch, size)
    tf = simclr_transform(size, strength, blur, kind == 'fashion')
    run = lambda: (torch.stack([tf(im) for im in pil]), torch.stack([tf(im) for im in pil]))
    run()  # warm-up
    best = float('inf')
    for _ in range(batches):  # best batch: the least disturbed by other load, as bench/augment.ts
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return {'name': name, 'images_per_s': batch / best, 'ms_per_batch': 1000 * best, 'batch': batch}


def resnet18_step_ms(batch, steps):
    """Forward + backward + SGD step of ResNet-18 with the CIFAR stem on 2 x batch 32x32 images (two views)."""
    model = torchvision.models.resnet18(num_classes=128)
    model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    model.maxpool = torch.nn.Identity()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.rand(2 * batch, 3, 32, 32)
    def step():
        opt.zero_grad()
        z = torch.nn.functional.normalize(model(x), dim=1)
        loss = (z @ z.t()).logsumexp(1).mean()
        loss.backward()
        opt.step()
    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return 1000 * (time.perf_counter() - t0) / steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--batches', type=int, default=5)
    p.add_argument('--step', action='store_true', help='also time a ResNet-18 pretraining step at batch 256, 32x32')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    configs = [
        ('32x32 rgb s=0.5', 'random', 32, 256, a.batches, 0.5, False),
        ('28x28 fashion-mnist s=0.5', 'fashion', 28, 256, a.batches, 0.5, False),
        ('224x224 rgb s=1 blur', 'random', 224, 32, a.batches, 1.0, True),
    ]
    print(json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for c in configs:
        print(json.dumps(bench(*c)), flush=True)
    if a.step:
        print(json.dumps({'name': 'resnet18 step', 'batch': 256, 'ms_per_step': resnet18_step_ms(256, 1)}), flush=True)


if __name__ == '__main__':
    main()
