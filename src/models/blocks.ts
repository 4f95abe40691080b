// Residual blocks with torchvision's parameter names: BasicBlock (ResNet-18/34) and Bottleneck (50+, stride on the 3x3
// as torchvision and the official code), plus SimCLRv2's selective-kernel and squeeze-excitation options (tf2/resnet.py).
import { BatchNorm2d, Conv2d, Layer, type Sequential } from '../nn/index.js';
import { type Tensor } from '../tensor/index.js';
import { makeDownsample } from './downsample.js';
import { addReluInplace, reluInplace } from './ops.js';
import { SelectiveKernelConv2d } from './selective_kernel.js';
import type { BlockSpec } from './spec.js';
import { SqueezeExcite } from './squeeze_excite.js';

function conv(inChannels: number, outChannels: number, kernelSize: number, stride = 1): Conv2d {
  return new Conv2d({ inChannels, outChannels, kernelSize, stride });
}

function bn(spec: BlockSpec, channels: number, zeroInitGamma = false): BatchNorm2d {
  return new BatchNorm2d({ numFeatures: channels, momentum: spec.bn.momentum, eps: spec.bn.eps, zeroInitGamma });
}

function seOptions(spec: BlockSpec) {
  return { channels: spec.outChannels, filters: spec.width, seRatio: spec.seRatio };
}

/** Two 3x3 convs; the second BN starts at zero with zeroInitResidual. */
export class BasicBlock extends Layer {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly se: SqueezeExcite | null;
  readonly downsample: Sequential | null;

  constructor(readonly spec: BlockSpec) {
    super();
    this.conv1 = this.registerModule('conv1', conv(spec.inChannels, spec.width, 3, spec.stride));
    this.bn1 = this.registerModule('bn1', bn(spec, spec.width));
    this.conv2 = this.registerModule('conv2', conv(spec.width, spec.outChannels, 3));
    this.bn2 = this.registerModule('bn2', bn(spec, spec.outChannels, spec.zeroInitResidual));
    this.se = spec.seRatio > 0 ? this.registerModule('se', new SqueezeExcite(seOptions(spec))) : null;
    const downsample = makeDownsample(spec);
    this.downsample = downsample ? this.registerModule('downsample', downsample) : null;
  }

  forward(x: Tensor): Tensor {
    const out = reluInplace(this.bn1.forward(this.conv1.forward(x))); // (N, width, H', W')
    let res = this.bn2.forward(this.conv2.forward(out)); // (N, out, H', W')
    if (this.se) res = this.se.forward(res);
    return addReluInplace(res, this.downsample ? this.downsample.forward(x) : x); // (N, out, H', W')
  }
}

/** 1x1 reduce, 3x3 (or selective kernel) with the stride, 1x1 expand x4; the last BN starts at zero with zeroInitResidual. */
export class Bottleneck extends Layer {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d | SelectiveKernelConv2d;
  /** Absent with selective kernels, which hold their own BN. */
  readonly bn2: BatchNorm2d | null;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly se: SqueezeExcite | null;
  readonly downsample: Sequential | null;

  constructor(readonly spec: BlockSpec) {
    super();
    const { width } = spec;
    this.conv1 = this.registerModule('conv1', conv(spec.inChannels, width, 1));
    this.bn1 = this.registerModule('bn1', bn(spec, width));
    if (spec.skRatio > 0) {
      const sk = new SelectiveKernelConv2d({ inChannels: width, outChannels: width, stride: spec.stride, skRatio: spec.skRatio, bn: spec.bn });
      this.conv2 = this.registerModule('conv2', sk);
      this.bn2 = null;
    } else {
      this.conv2 = this.registerModule('conv2', conv(width, width, 3, spec.stride));
      this.bn2 = this.registerModule('bn2', bn(spec, width));
    }
    this.conv3 = this.registerModule('conv3', conv(width, spec.outChannels, 1));
    this.bn3 = this.registerModule('bn3', bn(spec, spec.outChannels, spec.zeroInitResidual));
    this.se = spec.seRatio > 0 ? this.registerModule('se', new SqueezeExcite(seOptions(spec))) : null;
    const downsample = makeDownsample(spec);
    this.downsample = downsample ? this.registerModule('downsample', downsample) : null;
  }

  forward(x: Tensor): Tensor {
    let out = reluInplace(this.bn1.forward(this.conv1.forward(x))); // (N, width, H, W)
    out = this.bn2 ? reluInplace(this.bn2.forward(this.conv2.forward(out))) : this.conv2.forward(out); // (N, width, H', W')
    let res = this.bn3.forward(this.conv3.forward(out)); // (N, 4 width, H', W')
    if (this.se) res = this.se.forward(res);
    return addReluInplace(res, this.downsample ? this.downsample.forward(x) : x); // (N, 4 width, H', W')
  }
}

export type ResidualBlock = BasicBlock | Bottleneck;

export function makeBlock(spec: BlockSpec): ResidualBlock {
  return spec.kind === 'basic' ? new BasicBlock(spec) : new Bottleneck(spec);
}

