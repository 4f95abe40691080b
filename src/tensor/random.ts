// Random state: the global seed, independent generators, and state save/restore for exact resume.
import { native, type GeneratorHandle } from '../native/addon.js';
import { Tensor } from './tensor.js';

/** Seeds the global generator (CPU and CUDA), like torch.manual_seed. */
export function manualSeed(seed: number | bigint): void {
  native.ManualSeed(seed);
}

/** The global CPU generator's full state as bytes (torch.get_rng_state). */
export function getRngState(): Uint8Array {
  const t = new Tensor(native.GetRngState());
  try {
    return t.dataSync() as Uint8Array;
  } finally {
    t.dispose();
  }
}

export function setRngState(state: Uint8Array): void {
  const t = new Tensor(native.FromTypedArray(state, [state.length]));
  try {
    native.SetRngState(t.handle);
  } finally {
    t.dispose();
  }
}

/** An independent random stream (torch.Generator), e.g. one for data augmentation, one for the model. */
export class Generator {
  readonly handle: GeneratorHandle;

  constructor(seed: number | bigint = 0) {
    this.handle = native.NewGenerator(seed);
  }

  manualSeed(seed: number | bigint): this {
    native.GeneratorSeed(this.handle, seed);
    return this;
  }

  getState(): Uint8Array {
    const t = new Tensor(native.GeneratorGetState(this.handle));
    try {
      return t.dataSync() as Uint8Array;
    } finally {
      t.dispose();
    }
  }

  setState(state: Uint8Array): void {
    const t = new Tensor(native.FromTypedArray(state, [state.length]));
    try {
      native.GeneratorSetState(this.handle, t.handle);
    } finally {
      t.dispose();
    }
  }
}
