// Squeeze-and-excitation (arXiv:1709.01507) as SimCLRv2's SE_Layer: global mean, 1x1 reduce + ReLU, 1x1 expand,
// sigmoid gate on the channels. The reduced width is max(1, floor(filters * seRatio)). Reference: tf2/resnet.py.
import { type Tensor } from '../tensor/index.js';
import { Conv2d, Layer, init } from '../nn/index.js';

export interface SqueezeExciteOptions {
  /** Channels gated (the block's output). */
  channels: number;
  /** The block's inner width ("filters"), which the ratio applies to, as the official code. */
  filters: number;
  seRatio: number;
}

export function seReducedChannels(filters: number, seRatio: number): number {
  return Math.max(1, Math.floor(filters * seRatio));
}

export class SqueezeExcite extends Layer {
  readonly fc1: Conv2d; // (reduced, C, 1, 1) + bias
  readonly fc2: Conv2d; // (C, reduced, 1, 1) + bias

  constructor(o: SqueezeExciteOptions) {
    super();
    if (!(o.seRatio > 0)) throw new RangeError(`SqueezeExcite: seRatio must be > 0, got ${o.seRatio}`);
    const reduced = seReducedChannels(o.filters, o.seRatio);
    this.fc1 = this.registerModule('fc1', new Conv2d({ inChannels: o.channels, outChannels: reduced, kernelSize: 1, bias: true }));
    this.fc2 = this.registerModule('fc2', new Conv2d({ inChannels: reduced, outChannels: o.channels, kernelSize: 1, bias: true }));
    init.zeros_(this.fc1.bias!); // Keras' default bias initialiser, as the official code
    init.zeros_(this.fc2.bias!);
  }

  forward(x: Tensor): Tensor {
    const squeezed = this.fc1.forward(x.mean([2, 3], true)).relu(); // (N, reduced, 1, 1)
    return x.mul(this.fc2.forward(squeezed).sigmoid()); // (N, C, H, W)
  }
}
