// The ResNet stem with torchvision names (conv1, bn1, maxpool): CIFAR (3x3 stride 1, no max-pool), stride2 (3x3 stride 2,
// no max-pool: small images at half resolution), ImageNet (7x7 stride 2
// + 3x3/2 max-pool) or the ResNet-D deep stem of the official SK models (three 3x3 convs, names as timm's conv1.0/.3/.6).
import { BatchNorm2d, Conv2d, Identity, type Layer, MaxPool2d, ReLU, Sequential } from '../nn/index.js';
import type { BnSpec, StemSpec } from './spec.js';

export interface StemLayers {
  conv1: Layer;
  bn1: BatchNorm2d;
  /** Identity for the CIFAR stem. The official code pads 'SAME' (end only on even sides); this is torchvision's pad 1. */
  maxpool: Layer;
}

function conv(inChannels: number, outChannels: number, kernelSize: number, stride: number): Conv2d {
  return new Conv2d({ inChannels, outChannels, kernelSize, stride });
}

export function makeStem(spec: StemSpec, bn: BnSpec): StemLayers {
  const norm = (c: number) => new BatchNorm2d({ numFeatures: c, momentum: bn.momentum, eps: bn.eps });
  const bn1 = norm(spec.outChannels);
  switch (spec.kind) {
    case 'cifar':
      return { conv1: conv(spec.inChannels, spec.outChannels, 3, 1), bn1, maxpool: new Identity() };
    case 'stride2':
      return { conv1: conv(spec.inChannels, spec.outChannels, 3, 2), bn1, maxpool: new Identity() };
    case 'imagenet':
      return { conv1: conv(spec.inChannels, spec.outChannels, 7, 2), bn1, maxpool: new MaxPool2d(3, 2, 1) };
    case 'deep': {
      const { inChannels: c0, midChannels: m, outChannels: c } = spec;
      const conv1 = new Sequential(conv(c0, m, 3, 2), norm(m), new ReLU(), conv(m, m, 3, 1), norm(m), new ReLU(), conv(m, c, 3, 1));
      return { conv1, bn1, maxpool: new MaxPool2d(3, 2, 1) };
    }
  }
}

/** Output side of the stem for an input side (every stride-2 step here maps H to ceil(H / 2)). */
export function stemOutputSide(spec: StemSpec, side: number): number {
  if (spec.kind === 'cifar') return side;
  return spec.kind === 'stride2' ? Math.ceil(side / 2) : Math.ceil(Math.ceil(side / 2) / 2);
}
