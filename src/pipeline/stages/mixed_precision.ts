// Mixed precision of a training step (--precision): the forward under autocast (bf16; fp16 with a gradient scaler),
// master weights, batch-norm statistics and losses in fp32. Reference: PyTorch's AMP recipe (torch.autocast + GradScaler).
import type { DataParallel } from '../../distributed/data_parallel.js';
import { GradScaler, type GradScalerState, type GroupOptions, type Optimizer } from '../../optim/index.js';
import { autocast, cuda, full, hasNativeBf16, type AutocastOptions, type Tensor } from '../../tensor/index.js';
import type { ExtraState } from '../run/train_loop.js';

export type Precision = 'fp32' | 'bf16' | 'fp16';
/** What a config may ask for: a precision, or 'auto' (bf16 where the hardware does it natively, else fp32). */
export type PrecisionChoice = Precision | 'auto';

/** Whether the hardware does bfloat16 natively; injectable so tests can play either machine. */
export interface NativeBf16 {
  cpu: () => boolean;
  cuda: () => boolean;
}
const HARDWARE_BF16: NativeBf16 = { cpu: () => hasNativeBf16(), cuda: () => cuda.supportsBf16() };

/**
 * 'auto' -> bf16 where it is native and so faster (a CPU with AVX512-BF16 or AMX, a GPU of compute capability 8.0+),
 * fp32 elsewhere: without native support bf16 autocast is no faster, and the recipe's accuracy was measured both ways
 * (notes/label-efficiency.md). Explicit precisions pass through.
 */
export function resolvePrecision(choice: PrecisionChoice, device = 'cpu', native: NativeBf16 = HARDWARE_BF16): Precision {
  if (choice !== 'auto') return choice;
  const isNative = device.startsWith('cuda') ? native.cuda() : native.cpu();
  return isNative ? 'bf16' : 'fp32';
}

/** The precision of one run: how its forward passes run and how its optimiser steps. */
export class MixedPrecision {
  readonly precision: Precision;
  /** True when 'auto' chose `precision`. */
  readonly automatic: boolean;
  /** fp16 only: dynamic loss scaling, its state saved in every checkpoint. */
  readonly scaler: GradScaler | null;
  readonly #autocast: AutocastOptions | null;

  constructor(choice: PrecisionChoice = 'fp32', device = 'cpu', native: NativeBf16 = HARDWARE_BF16) {
    const precision = resolvePrecision(choice, device, native);
    if (precision === 'fp16' && device === 'cpu') {
      throw new RangeError("--precision fp16 needs --device cuda: libtorch has no float16 autocast on CPU (use --precision bf16 there)");
    }
    this.precision = precision;
    this.automatic = choice === 'auto';
    this.scaler = precision === 'fp16' ? new GradScaler() : null;
    this.#autocast = precision === 'fp32' ? null : { device: device as AutocastOptions['device'], dtype: precision === 'bf16' ? 'bfloat16' : 'float16' };
  }

  /** For a run's opening line: '' for a chosen fp32, else the precision and whether 'auto' picked it. */
  describe(): string {
    if (this.automatic) return `, ${this.precision === 'fp32' ? 'fp32' : `${this.precision} mixed precision`} (--precision auto: ${this.precision === 'fp32' ? 'no native bf16 here' : 'native bf16 here'})`;
    return this.precision === 'fp32' ? '' : `, ${this.precision} mixed precision`;
  }

  /** fn (a forward pass) under autocast; as is in fp32. The caller casts what feeds a loss back with `.float()`. */
  forward<T>(fn: () => T): T {
    return this.#autocast ? autocast(this.#autocast, fn) : fn();
  }

  /**
   * zeroGrad, backward of the (scaled, fp16) loss, gradients averaged when data parallel, then the optimiser step at
   * `lr`: through the scaler with fp16 (skipped on inf/NaN gradients; the scale adapts). Returns, with fp16, the scale
   * this step used ('grad_scale') and 1 when it was skipped ('skipped_steps': the logged mean is the skipped fraction).
   */
  backwardAndStep(optimizer: Optimizer<GroupOptions>, loss: Tensor, lr: number, parallel: DataParallel | null | undefined): Record<string, Tensor> {
    optimizer.zeroGrad();
    optimizer.setLr(lr);
    if (!this.scaler) {
      loss.backward();
      parallel?.syncGradients();
      optimizer.step();
      return {};
    }
    const scale = this.scaler.getScale();
    this.scaler.scale(loss).backward();
    parallel?.syncGradients(); // every process sees the same averaged gradients, so all skip (or step) together
    const stepped = this.scaler.step(optimizer);
    this.scaler.update();
    return { grad_scale: full([], scale), skipped_steps: full([], stepped ? 0 : 1) }; // (), ()
  }

  /** The scaler's state for checkpoints (fp16); resuming fp16 from a checkpoint without one is refused. */
  extraState(): ExtraState | undefined {
    const scaler = this.scaler;
    if (!scaler) return undefined;
    return {
      save: () => ({ extra: { gradScaler: scaler.stateDict() }, tensors: new Map() }),
      restore: (extra, _tensors, sidecarPath) => {
        const state = extra.gradScaler as GradScalerState | undefined;
        if (!state) {
          throw new Error(`--resume with --precision fp16: ${sidecarPath} has no gradient-scaler state (it was trained with --precision ${String(extra.precision ?? 'fp32')}); ` +
            'resume with that precision, or start a new run for fp16');
        }
        scaler.loadStateDict(state);
      },
    };
  }
}

/** Several extra states saved and restored as one (their sidecar keys and tensor names must not collide). */
export function composeExtraStates(...states: Array<ExtraState | undefined>): ExtraState | undefined {
  const present = states.filter((s): s is ExtraState => s !== undefined);
  if (present.length <= 1) return present[0];
  return {
    save: () => {
      const extra: Record<string, unknown> = {};
      const tensors = new Map<string, Tensor>();
      for (const s of present) {
        const own = s.save();
        Object.assign(extra, own.extra);
        for (const [name, t] of own.tensors) tensors.set(name, t);
      }
      return { extra, tensors };
    },
    restore: (extra, tensors, sidecarPath) => {
      for (const s of present) s.restore(extra, tensors, sidecarPath);
    },
  };
}
