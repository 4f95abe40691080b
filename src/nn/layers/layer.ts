// Layer: a Module with one tensor in and one tensor out, the unit Sequential composes.
import { type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

export abstract class Layer extends Module {
  abstract forward(x: Tensor): Tensor;
}

/** Checks an options value and names the layer and option in the error. */
export function requirePositiveInt(layer: string, option: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new RangeError(`${layer}: ${option} must be a positive integer, got ${String(value)}`);
  }
  return value as number;
}
