// Weight initialisation, as torch.nn.init: Kaiming (He) normal/uniform, zeros, ones, constant.
// Draws go through the global generator (manualSeed) or a given Generator.
import { noGrad, type Generator, randn, rand, type Tensor, tidy } from '../tensor/index.js';

export type FanMode = 'fanIn' | 'fanOut';

/** fan_in and fan_out of a weight (out, in, kh, kw) or (out, in). */
export function fans(weight: Tensor): { fanIn: number; fanOut: number } {
  const [out, inp, ...kernel] = weight.shape;
  if (inp === undefined) throw new RangeError(`fans: weight needs at least 2 dimensions, got shape [${weight.shape}]`);
  const receptive = kernel.reduce((a, b) => a * b, 1);
  return { fanIn: inp * receptive, fanOut: out * receptive };
}

/** He normal: N(0, gain^2 / fan), gain sqrt(2) for ReLU (torch.nn.init.kaiming_normal_). */
export function kaimingNormal_(weight: Tensor, mode: FanMode = 'fanOut', generator?: Generator): Tensor {
  const std = Math.sqrt(2) / Math.sqrt(fans(weight)[mode]);
  tidy(() => noGrad(() => weight.copy_(randn(weight.shape, { dtype: weight.dtype, generator }).mul(std))));
  return weight;
}

/** He uniform with a = sqrt(5), PyTorch's default for Linear and Conv2d weights. */
export function kaimingUniform_(weight: Tensor, a = Math.sqrt(5), generator?: Generator): Tensor {
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fans(weight).fanIn);
  return uniform_(weight, -bound, bound, generator);
}

export function uniform_(t: Tensor, low: number, high: number, generator?: Generator): Tensor {
  tidy(() => noGrad(() => t.copy_(rand(t.shape, { dtype: t.dtype, generator }).mul(high - low).add(low))));
  return t;
}

export function normal_(t: Tensor, mean = 0, std = 1, generator?: Generator): Tensor {
  tidy(() => noGrad(() => t.copy_(randn(t.shape, { dtype: t.dtype, generator }).mul(std).add(mean))));
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill_(value));
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}
