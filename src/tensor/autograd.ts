// Autograd controls: no-grad regions and torch.autograd.grad.
import { native } from '../native/addon.js';
import { Tensor } from './tensor.js';

/** Runs fn with gradient recording off (torch.no_grad()). Works with sync functions only. */
export function noGrad<T>(fn: () => T): T {
  const previous = native.SetGradEnabled(false);
  try {
    return fn();
  } finally {
    native.SetGradEnabled(previous);
  }
}

/** Runs fn with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  const previous = native.SetGradEnabled(true);
  try {
    return fn();
  } finally {
    native.SetGradEnabled(previous);
  }
}

export function isGradEnabled(): boolean {
  return native.IsGradEnabled();
}

export interface GradOptions {
  gradOutputs?: (Tensor | null)[];
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** Gradients of outputs with respect to inputs, without touching .grad (torch.autograd.grad). */
export function grad(outputs: Tensor[], inputs: Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const grads = native.AutogradGrad(
    outputs.map((t) => t.handle),
    inputs.map((t) => t.handle),
    options.gradOutputs ? options.gradOutputs.map((t) => (t ? t.handle : null)) : null,
    options.retainGraph,
    options.createGraph ?? false,
    options.allowUnused ?? false,
  );
  return grads.map((g) => (g === null ? null : new Tensor(g)));
}
