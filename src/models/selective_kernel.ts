// Selective kernel convolution (SKNet, arXiv:1903.06586) as SimCLRv2's SK_Conv2D: one 3x3 conv makes two branches,
// their sum is pooled, squeezed (1x1 conv + BN + ReLU) and expanded to a softmax over the branches. Reference: tf2/resnet.py.
import { F, type Tensor } from '../tensor/index.js';
import { BatchNorm2d, Conv2d, Layer } from '../nn/index.js';
import { reluInplace } from './ops.js';
import type { BnSpec } from './spec.js';

export interface SelectiveKernelOptions {
  inChannels: number;
  outChannels: number;
  stride: number;
  /** Squeeze ratio (paper: 0.0625); the squeeze width is max(floor(outChannels * skRatio), minDim). */
  skRatio: number;
  minDim?: number;
  bn: BnSpec;
}

const BRANCHES = 2;

export function skMidChannels(outChannels: number, skRatio: number, minDim = 32): number {
  return Math.max(Math.floor(outChannels * skRatio), minDim);
}

export class SelectiveKernelConv2d extends Layer {
  readonly conv: Conv2d; // both branches at once: (2C, in, 3, 3)
  readonly bn: BatchNorm2d;
  readonly fc1: Conv2d; // squeeze (mid, C, 1, 1)
  readonly fcBn: BatchNorm2d;
  readonly fc2: Conv2d; // mixing logits (2C, mid, 1, 1)
  readonly outChannels: number;

  constructor(o: SelectiveKernelOptions) {
    super();
    if (!(o.skRatio > 0)) throw new RangeError(`SelectiveKernelConv2d: skRatio must be > 0, got ${o.skRatio}`);
    const c = o.outChannels;
    const mid = skMidChannels(c, o.skRatio, o.minDim);
    const bn = { momentum: o.bn.momentum, eps: o.bn.eps };
    this.outChannels = c;
    this.conv = this.registerModule('conv', new Conv2d({ inChannels: o.inChannels, outChannels: BRANCHES * c, kernelSize: 3, stride: o.stride }));
    this.bn = this.registerModule('bn', new BatchNorm2d({ numFeatures: BRANCHES * c, ...bn }));
    this.fc1 = this.registerModule('fc1', new Conv2d({ inChannels: c, outChannels: mid, kernelSize: 1 }));
    this.fcBn = this.registerModule('fc_bn', new BatchNorm2d({ numFeatures: mid, ...bn }));
    this.fc2 = this.registerModule('fc2', new Conv2d({ inChannels: mid, outChannels: BRANCHES * c, kernelSize: 1 }));
  }

  forward(x: Tensor): Tensor {
    const c = this.outChannels;
    const both = reluInplace(this.bn.forward(this.conv.forward(x))); // (N, 2C, H', W')
    const [n, , h, w] = both.shape;
    const branches = both.reshape([n, BRANCHES, c, h, w]); // (N, 2, C, H', W')
    const pooled = both.mean([2, 3], true).reshape([n, BRANCHES, c, 1, 1]).sum(1); // (N, C, 1, 1): mean of the branch sum
    const squeezed = reluInplace(this.fcBn.forward(this.fc1.forward(pooled))); // (N, mid, 1, 1)
    const mixing = this.fc2.forward(squeezed).reshape([n, BRANCHES, c, 1, 1]); // (N, 2, C, 1, 1)
    return branches.mul(F.softmax(mixing, 1)).sum(1); // (N, C, H', W')
  }
}
