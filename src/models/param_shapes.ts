// Parameter names and shapes of layers, computed without allocating tensors (for counting huge models).
// Each model file states its own shapes next to its constructor; tests check they equal the built modules'.
import type { BnSpec } from './spec.js';

/** A parameter's dotted name and shape. */
export type ParamShape = [name: string, shape: number[]];

export function convShapes(name: string, inChannels: number, outChannels: number, kernelSize: number, bias = false): ParamShape[] {
  const weight: ParamShape = [`${name}.weight`, [outChannels, inChannels, kernelSize, kernelSize]];
  return bias ? [weight, [`${name}.bias`, [outChannels]]] : [weight];
}

export function bnShapes(name: string, channels: number, affine: { scale?: boolean; center?: boolean } = {}): ParamShape[] {
  const out: ParamShape[] = [];
  if (affine.scale ?? true) out.push([`${name}.weight`, [channels]]);
  if (affine.center ?? true) out.push([`${name}.bias`, [channels]]);
  return out;
}

export function linearShapes(name: string, inFeatures: number, outFeatures: number, bias = true): ParamShape[] {
  const weight: ParamShape = [`${name}.weight`, [outFeatures, inFeatures]];
  return bias ? [weight, [`${name}.bias`, [outFeatures]]] : [weight];
}

/** Prepends `prefix.` to every name. */
export function prefixed(prefix: string, shapes: ParamShape[]): ParamShape[] {
  return shapes.map(([name, shape]) => [prefix ? `${prefix}.${name}` : name, shape]);
}

/** Total number of elements. */
export function countParams(shapes: ParamShape[]): number {
  return shapes.reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}

/** Options shared by every BatchNorm2d of the encoder. */
export function bnOptions(bn: BnSpec): { momentum: number; eps: number } {
  return { momentum: bn.momentum, eps: bn.eps };
}
