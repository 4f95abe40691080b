// The ResNet encoder as ONNX nodes, from its spec (stems cifar / stride2 / imagenet / ResNet-D deep, basic and bottleneck
// blocks, selective kernels, squeeze-excite, conv or ResNet-D shortcuts), mirroring src/models/ layer by layer.
import type { BlockSpec, EncoderSpec, StemSpec } from '../models/index.js';
import { int } from './graph.js';
import type { LayerEmitter, Value } from './layers.js';

const STAGES = ['layer1', 'layer2', 'layer3', 'layer4'];

/** (N, C_in, H, W) -> pooled features h (N, outChannels), as ResNet.features in eval mode. */
export function emitEncoder(e: LayerEmitter, spec: EncoderSpec, x: Value, prefix: string): Value {
  let out = emitStem(e, spec.stem, x, prefix, spec.bn.eps);
  spec.stages.forEach((blocks, s) => blocks.forEach((block, i) => {
    out = emitBlock(e, block, out, `${prefix}.${STAGES[s]}.${i}`);
  }));
  const pooled = e.globalAvgPool(out, `${prefix}/avgpool`); // (N, C, 1, 1)
  return { name: e.g.node('Flatten', [pooled.name], `${prefix}/flatten`), shape: [pooled.shape[0]] }; // (N, C)
}

function convBnRelu(e: LayerEmitter, conv: string, bn: string, x: Value, stride: number, eps: number): Value {
  return e.relu(e.batchNorm(bn, e.conv(conv, x, { stride }), eps));
}

/** conv1, bn1, ReLU, max-pool (stem.ts). */
function emitStem(e: LayerEmitter, stem: StemSpec, x: Value, prefix: string, eps: number): Value {
  const p = (name: string) => `${prefix}.${name}`;
  switch (stem.kind) {
    case 'cifar':
      return convBnRelu(e, p('conv1'), p('bn1'), x, 1, eps);
    case 'stride2':
      return convBnRelu(e, p('conv1'), p('bn1'), x, 2, eps);
    case 'imagenet':
      return e.maxPool(convBnRelu(e, p('conv1'), p('bn1'), x, 2, eps), p('maxpool'), 3, 2, 1);
    case 'deep': {
      const a = convBnRelu(e, p('conv1.0'), p('conv1.1'), x, 2, eps);
      const b = convBnRelu(e, p('conv1.3'), p('conv1.4'), a, 1, eps);
      return e.maxPool(convBnRelu(e, p('conv1.6'), p('bn1'), b, 1, eps), p('maxpool'), 3, 2, 1);
    }
  }
}

/** BasicBlock / Bottleneck forward (blocks.ts): the residual branch, SE gate, shortcut, relu(sum). */
function emitBlock(e: LayerEmitter, spec: BlockSpec, x: Value, prefix: string): Value {
  const p = (name: string) => `${prefix}.${name}`;
  const eps = spec.bn.eps;
  let res: Value;
  if (spec.kind === 'basic') {
    const out = convBnRelu(e, p('conv1'), p('bn1'), x, spec.stride, eps);
    res = e.batchNorm(p('bn2'), e.conv(p('conv2'), out), eps);
  } else {
    let out = convBnRelu(e, p('conv1'), p('bn1'), x, 1, eps);
    out = spec.skRatio > 0 ? emitSelectiveKernel(e, p('conv2'), out, spec.stride, eps) : convBnRelu(e, p('conv2'), p('bn2'), out, spec.stride, eps);
    res = e.batchNorm(p('bn3'), e.conv(p('conv3'), out), eps);
  }
  if (spec.seRatio > 0) res = emitSqueezeExcite(e, p('se'), res);
  return e.addRelu(res, emitShortcut(e, spec, x, p('downsample')), prefix);
}

/** Identity, torchvision's strided 1x1 conv + BN, or ResNet-D: 2x2 average pool, 1x1 conv, BN (downsample.ts). */
function emitShortcut(e: LayerEmitter, spec: BlockSpec, x: Value, prefix: string): Value {
  const eps = spec.bn.eps;
  if (spec.downsample === 'none') return x;
  if (spec.downsample === 'conv') return e.batchNorm(`${prefix}.1`, e.conv(`${prefix}.0`, x, { stride: spec.stride }), eps);
  const [, h, w] = x.shape;
  // Stride 2: one zero row/column at the end of an odd side, counted in the mean; stride 1 ('SAME'): padding not counted.
  const pooled = spec.stride === 1
    ? e.avgPool2x2(x, `${prefix}.0`, 1, [1, 1], false)
    : e.avgPool2x2(x, `${prefix}.0`, 2, [h % 2, w % 2], true);
  return e.batchNorm(`${prefix}.2`, e.conv(`${prefix}.1`, pooled), eps);
}

/** SqueezeExcite: x * sigmoid(fc2(relu(fc1(mean_hw(x))))) (squeeze_excite.ts). */
function emitSqueezeExcite(e: LayerEmitter, prefix: string, x: Value): Value {
  const squeezed = e.relu(e.conv(`${prefix}.fc1`, e.globalAvgPool(x, `${prefix}/mean`), { bias: true })); // (N, r, 1, 1)
  const gate = e.g.node('Sigmoid', [e.conv(`${prefix}.fc2`, squeezed, { bias: true }).name], `${prefix}/sigmoid`); // (N, C, 1, 1)
  return { name: e.g.node('Mul', [x.name, gate], `${prefix}/mul`), shape: x.shape }; // (N, C, H, W)
}

/**
 * SelectiveKernelConv2d (selective_kernel.ts): one conv makes both branches (N, 2C, H, W); their pooled sum is squeezed
 * and expanded to mixing logits (N, 2, C, 1, 1); the output is the softmax-weighted sum of the branches.
 */
function emitSelectiveKernel(e: LayerEmitter, prefix: string, x: Value, stride: number, eps: number): Value {
  const { g } = e;
  const both = convBnRelu(e, `${prefix}.conv`, `${prefix}.bn`, x, stride, eps); // (N, 2C, H', W')
  const [c2, h, w] = both.shape;
  const c = c2 / 2;
  const shape = (dims: number[]) => g.int64Constant([-1, ...dims]);
  const axis1 = g.int64Constant([1]);
  const branches = g.node('Reshape', [both.name, shape([2, c, h, w])], `${prefix}/branches`); // (N, 2, C, H', W')
  const pooled = g.node('Reshape', [e.globalAvgPool(both, `${prefix}/mean`).name, shape([2, c, 1, 1])], `${prefix}/mean_split`); // (N, 2, C, 1, 1)
  const summed: Value = { name: g.node('ReduceSum', [pooled, axis1], `${prefix}/mean_sum`, { keepdims: int(0) }), shape: [c, 1, 1] }; // (N, C, 1, 1)
  const squeezed = e.relu(e.batchNorm(`${prefix}.fc_bn`, e.conv(`${prefix}.fc1`, summed), eps)); // (N, mid, 1, 1)
  const logits = g.node('Reshape', [e.conv(`${prefix}.fc2`, squeezed).name, shape([2, c, 1, 1])], `${prefix}/logits`); // (N, 2, C, 1, 1)
  const mixing = g.node('Softmax', [logits], `${prefix}/softmax`, { axis: int(1) }); // (N, 2, C, 1, 1)
  const weighted = g.node('Mul', [branches, mixing], `${prefix}/weighted`); // (N, 2, C, H', W')
  return { name: g.node('ReduceSum', [weighted, axis1], `${prefix}/sum`, { keepdims: int(0) }), shape: [c, h, w] }; // (N, C, H', W')
}
