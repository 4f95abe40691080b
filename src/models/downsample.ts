// Projection shortcuts of residual blocks: torchvision's strided 1x1 conv + BN, or ResNet-D (arXiv:1812.01187) as the
// official SK models use it: 2x2 average pool ('SAME' at stride 1, zero-padded 'VALID' at stride 2), 1x1 conv, BN.
import { F, callTensor, type Tensor } from '../tensor/index.js';
import { BatchNorm2d, Conv2d, Layer, Sequential } from '../nn/index.js';
import type { BlockSpec } from './spec.js';

/** tf.keras AveragePooling2D(pool_size=2) with the padding of the official ResNet-D shortcut. */
export class AvgPool2dSame extends Layer {
  constructor(readonly stride: 1 | 2) {
    super();
  }

  forward(x: Tensor): Tensor {
    const [, , h, w] = x.shape;
    if (this.stride === 2) {
      // FixedPadding(2) pads one zero row/column at the end; it is only read when a side is odd.
      const padded = h % 2 || w % 2 ? F.pad(x, [0, w % 2, 0, h % 2]) : x; // (N, C, H + H%2, W + W%2)
      return F.avgPool2d(padded, 2, 2); // (N, C, ceil(H/2), ceil(W/2))
    }
    // 'SAME' at stride 1: window [i, i+1], the padding past the end excluded from the mean.
    const pooled = callTensor('aten::avg_pool2d', [x, [2, 2], [1, 1], [1, 1], false, false]); // (N, C, H+1, W+1)
    return pooled.slice(2, 1).slice(3, 1); // (N, C, H, W)
  }
}

/** The shortcut's layers, named as torchvision ("downsample.0" conv, ".1" BN) or timm's ResNet-D (".1" conv, ".2" BN). */
export function makeDownsample(spec: BlockSpec): Sequential | null {
  const bn = () => new BatchNorm2d({ numFeatures: spec.outChannels, momentum: spec.bn.momentum, eps: spec.bn.eps });
  const conv = (stride: number) => new Conv2d({ inChannels: spec.inChannels, outChannels: spec.outChannels, kernelSize: 1, stride });
  if (spec.downsample === 'conv') return new Sequential(conv(spec.stride), bn());
  if (spec.downsample === 'avgpool') return new Sequential(new AvgPool2dSame(spec.stride === 1 ? 1 : 2), conv(1), bn());
  return null;
}

