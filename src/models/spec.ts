// Pure-data layer specs derived from a ModelDescription: the stem and every residual block's channels and stride.
// Both the modules (resnet.ts) and the allocation-free parameter count (plan.ts) are built from these.
import { DEPTHS, type ModelDescription } from './description.js';

export interface BnSpec { momentum: number; eps: number }

export type StemSpec =
  | { kind: 'cifar'; inChannels: number; outChannels: number }
  /** 3x3 stride 2, no max-pool: a quarter of the CIFAR stem's work downstream, for small images. */
  | { kind: 'stride2'; inChannels: number; outChannels: number }
  | { kind: 'imagenet'; inChannels: number; outChannels: number }
  /** ResNet-D stem (three 3x3 convs), used with selective kernels at ImageNet size. */
  | { kind: 'deep'; inChannels: number; midChannels: number; outChannels: number };

/** 'conv': 1x1 strided conv + BN (torchvision); 'avgpool': ResNet-D avg-pool, 1x1 conv, BN (official with SK). */
export type DownsampleKind = 'none' | 'conv' | 'avgpool';

export interface BlockSpec {
  kind: 'basic' | 'bottleneck';
  inChannels: number;
  /** The block's inner width ("filters" in the official code). */
  width: number;
  outChannels: number;
  stride: number;
  downsample: DownsampleKind;
  /** 0 = plain 3x3 conv; > 0 = selective kernel conv (bottleneck blocks only, as official). */
  skRatio: number;
  seRatio: number;
  zeroInitResidual: boolean;
  bn: BnSpec;
}

export interface EncoderSpec {
  stem: StemSpec;
  stages: BlockSpec[][];
  /** Width of the pooled features h. */
  outChannels: number;
  /** Classes of a torchvision-style `fc` on the features; 0 = none (the SimCLR encoder). */
  numClasses: number;
  bn: BnSpec;
}

const EXPANSION = { basic: 1, bottleneck: 4 } as const;

/** Channels for a base width (64, 128, 256, 512) at a width multiplier; at least 1. */
export function scaledWidth(base: number, widthMultiplier: number): number {
  return Math.max(1, Math.round(base * widthMultiplier));
}

export function stemSpec(d: ModelDescription): StemSpec {
  const outChannels = scaledWidth(64, d.widthMultiplier);
  if (d.stem === 'cifar' || d.stem === 'stride2') return { kind: d.stem, inChannels: d.inChannels, outChannels };
  if (d.skRatio > 0) return { kind: 'deep', inChannels: d.inChannels, midChannels: Math.max(1, Math.floor(outChannels / 2)), outChannels };
  return { kind: 'imagenet', inChannels: d.inChannels, outChannels };
}

/** The encoder of a description; `numClasses` adds a torchvision-style fc (not part of SimCLR). */
export function encoderSpec(d: ModelDescription, numClasses = 0): EncoderSpec {
  const { block, layers } = DEPTHS[d.depth];
  const bn = { momentum: d.bnMomentum, eps: d.bnEps };
  const stem = stemSpec(d);
  let inChannels = stem.outChannels;
  const stages = layers.map((count, s) => {
    const width = scaledWidth(64 * 2 ** s, d.widthMultiplier);
    const outChannels = width * EXPANSION[block];
    return Array.from({ length: count }, (_, i): BlockSpec => {
      const stride = i === 0 && s > 0 ? 2 : 1;
      // As the official code: the first block of every stage has a projection shortcut.
      const downsample: DownsampleKind = i === 0 ? (d.skRatio > 0 ? 'avgpool' : 'conv') : 'none';
      const spec: BlockSpec = {
        kind: block, inChannels, width, outChannels, stride, downsample: needsProjection(i, inChannels, outChannels, stride, downsample),
        skRatio: block === 'bottleneck' ? d.skRatio : 0, seRatio: d.seRatio, zeroInitResidual: d.zeroInitResidual, bn,
      };
      inChannels = outChannels;
      return spec;
    });
  });
  return { stem, stages, outChannels: inChannels, numClasses, bn };
}

/**
 * The official code gives the first block of each stage a projection; torchvision only where shapes change.
 * They differ only for layer1 of basic-block nets (64 -> 64, stride 1): there torchvision has none, and so do we,
 * so that torchvision ResNet-18/34 weights load by name.
 */
function needsProjection(index: number, inChannels: number, outChannels: number, stride: number, kind: DownsampleKind): DownsampleKind {
  if (index > 0) return 'none';
  return inChannels === outChannels && stride === 1 ? 'none' : kind;
}
