// 2-D convolution layer, as torch.nn.Conv2d (weight (out, in/groups, k, k), same parameter names).
import { empty, F, type Tensor } from '../../tensor/index.js';
import { kaimingNormal_, kaimingUniform_, uniform_, fans } from '../init.js';
import { Parameter } from '../parameter.js';
import { Layer, requirePositiveInt } from './layer.js';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** Defaults to 'same'-style padding for odd kernels at stride 1: floor(kernelSize / 2) * dilation. */
  padding?: number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
  /** 'kaimingNormal' (fan_out, ReLU gain: torchvision ResNet and the SimCLR code) or 'default' (PyTorch's). */
  init?: 'kaimingNormal' | 'default';
}

export class Conv2d extends Layer {
  readonly weight: Parameter; // (out, in/groups, k, k)
  readonly bias: Parameter | null;
  readonly options: Required<Conv2dOptions>;

  constructor(options: Conv2dOptions) {
    super();
    const o = {
      stride: 1, dilation: 1, groups: 1, bias: false, init: 'kaimingNormal' as const,
      padding: Math.floor(options.kernelSize / 2) * (options.dilation ?? 1), ...options,
    };
    for (const key of ['inChannels', 'outChannels', 'kernelSize', 'stride', 'dilation', 'groups'] as const) {
      requirePositiveInt('Conv2d', key, o[key]);
    }
    if (o.inChannels % o.groups || o.outChannels % o.groups) {
      throw new RangeError(`Conv2d: inChannels (${o.inChannels}) and outChannels (${o.outChannels}) must be divisible by groups (${o.groups})`);
    }
    this.options = o;
    const w = empty([o.outChannels, o.inChannels / o.groups, o.kernelSize, o.kernelSize]);
    this.weight = this.registerParameter('weight', new Parameter(w));
    w.dispose();
    this.bias = null;
    if (o.bias) {
      const b = empty([o.outChannels]);
      this.bias = this.registerParameter('bias', Parameter.excluded(b));
      b.dispose();
    } else {
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.options.init === 'kaimingNormal') kaimingNormal_(this.weight, 'fanOut');
    else kaimingUniform_(this.weight);
    if (this.bias) {
      const bound = 1 / Math.sqrt(fans(this.weight).fanIn);
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this.options;
    return F.conv2d(x, this.weight, this.bias, { stride, padding, dilation, groups }); // (N, out, H', W')
  }
}
