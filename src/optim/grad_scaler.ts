// Dynamic loss scaling for float16 mixed precision, as torch.cuda.amp.GradScaler (torch/cuda/amp/grad_scaler.py):
// scale the loss, unscale the gradients once per step, skip steps whose gradients hold inf/NaN, adapt the scale.
import { callOp, callTensors, noGrad, stack, tidy, type Tensor } from '../tensor/index.js';
import type { Parameter } from '../nn/parameter.js';

export interface GradScalerOptions {
  /** Starting scale (default 2^16). */
  initScale?: number;
  /** Factor on the scale after `growthInterval` steps in a row without inf/NaN gradients (default 2). */
  growthFactor?: number;
  /** Factor on the scale after a step with inf/NaN gradients (default 0.5). */
  backoffFactor?: number;
  /** Good steps in a row before the scale grows (default 2000). */
  growthInterval?: number;
  /** false makes every method a pass-through (scale() returns the loss, step() just steps): fp32/bf16 runs. */
  enabled?: boolean;
}

/** What the scaler needs of an optimiser: SGD, LARS and AdamW all fit. */
export interface ScalableOptimizer {
  readonly paramGroups: ReadonlyArray<{ readonly params: readonly Parameter[] }>;
  step(): void;
}

/** The scaler's state for checkpoints (plain JSON numbers; torch's keys in camelCase). */
export interface GradScalerState {
  scale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  growthTracker: number;
}

/** Where one optimiser is in the current iteration: unscaled (with its inf check) and/or stepped. */
interface PerOptimizer {
  foundInf: boolean;
  stepped: boolean;
}

export class GradScaler {
  readonly enabled: boolean;
  #scale: number;
  #growthFactor: number;
  #backoffFactor: number;
  #growthInterval: number;
  #growthTracker = 0;
  #perOptimizer = new Map<ScalableOptimizer, PerOptimizer>();

  constructor(options: GradScalerOptions = {}) {
    const { initScale = 2 ** 16, growthFactor = 2, backoffFactor = 0.5, growthInterval = 2000, enabled = true } = options;
    checkState({ scale: initScale, growthFactor, backoffFactor, growthInterval, growthTracker: 0 }, 'GradScaler');
    this.enabled = enabled;
    this.#scale = Math.fround(initScale); // torch keeps the scale in a float32 tensor
    this.#growthFactor = growthFactor;
    this.#backoffFactor = backoffFactor;
    this.#growthInterval = growthInterval;
  }

  /** The current scale (1 when disabled, as torch's get_scale()). */
  getScale(): number {
    return this.enabled ? this.#scale : 1;
  }

  /** Good steps in a row since the scale last changed. */
  get growthTracker(): number {
    return this.#growthTracker;
  }

  /** loss * scale, for backward (the loss itself when disabled). */
  scale(loss: Tensor): Tensor {
    return this.enabled ? loss.mul(this.#scale) : loss;
  }

  /**
   * Divides the optimiser's gradients by the scale in place and records whether any is inf/NaN. Once per optimiser
   * per iteration, before step(); call it yourself to clip or inspect true gradients.
   */
  unscale_(optimizer: ScalableOptimizer): void {
    if (!this.enabled) return;
    const record = this.#perOptimizer.get(optimizer);
    if (record?.stepped) throw new Error('GradScaler.unscale_: step() has already been called on this optimizer since the last update()');
    if (record) throw new Error('GradScaler.unscale_: unscale_() has already been called on this optimizer since the last update()');
    const params = optimizer.paramGroups.flatMap((g) => g.params);
    this.#perOptimizer.set(optimizer, { foundInf: unscaleAndCheck(params, 1 / this.#scale), stepped: false });
  }

  /** Unscales (unless unscale_ ran) and steps the optimiser unless a gradient was inf/NaN. Returns whether it stepped. */
  step(optimizer: ScalableOptimizer): boolean {
    if (!this.enabled) {
      optimizer.step();
      return true;
    }
    if (this.#perOptimizer.get(optimizer)?.stepped) throw new Error('GradScaler.step: step() has already been called since the last update()');
    if (!this.#perOptimizer.has(optimizer)) this.unscale_(optimizer);
    const record = this.#perOptimizer.get(optimizer)!;
    record.stepped = true;
    if (record.foundInf) return false;
    optimizer.step();
    return true;
  }

  /** Adapts the scale from this iteration's inf checks (backoff on any inf/NaN, growth after growthInterval good steps). */
  update(): void {
    if (!this.enabled) return;
    if (this.#perOptimizer.size === 0) throw new Error('GradScaler.update: no inf checks were recorded; call step() or unscale_() first');
    const foundInf = [...this.#perOptimizer.values()].some((r) => r.foundInf);
    this.#perOptimizer.clear();
    if (foundInf) {
      this.#scale = Math.fround(this.#scale * this.#backoffFactor);
      this.#growthTracker = 0;
    } else if (this.#growthTracker + 1 === this.#growthInterval) {
      const grown = Math.fround(this.#scale * this.#growthFactor);
      if (Number.isFinite(grown)) this.#scale = grown; // torch keeps the old scale when growth overflows float32
      this.#growthTracker = 0;
    } else {
      this.#growthTracker += 1;
    }
  }

  stateDict(): GradScalerState {
    return {
      scale: this.getScale(), growthFactor: this.#growthFactor, backoffFactor: this.#backoffFactor,
      growthInterval: this.#growthInterval, growthTracker: this.#growthTracker,
    };
  }

  /** Restores what stateDict() returned; validates every field first. */
  loadStateDict(state: GradScalerState): void {
    checkState(state, 'GradScaler.loadStateDict');
    this.#scale = Math.fround(state.scale);
    this.#growthFactor = state.growthFactor;
    this.#backoffFactor = state.backoffFactor;
    this.#growthInterval = state.growthInterval;
    this.#growthTracker = state.growthTracker;
    this.#perOptimizer.clear();
  }
}

/**
 * Every gradient *= invScale in place (one foreach call per device), then one reduction over all of them: the largest
 * |g| of every gradient (foreach inf-norm: inf and NaN propagate, nothing overflows) -> their maximum -> one host read.
 */
function unscaleAndCheck(params: readonly Parameter[], invScale: number): boolean {
  return tidy(() => noGrad(() => {
    const byDevice = new Map<string, Tensor[]>();
    for (const g of params.map((p) => p.grad)) {
      if (g === null) continue;
      if (g.dtype === 'float16') throw new TypeError('GradScaler.unscale_: float16 gradients; keep master weights in float32 and autocast the forward');
      byDevice.set(g.device, [...(byDevice.get(g.device) ?? []), g]);
    }
    let foundInf = false;
    for (const grads of byDevice.values()) {
      callOp('aten::_foreach_mul_.Scalar', [grads, invScale]);
      const maxAbs = callTensors('aten::_foreach_norm.Scalar', [grads, Infinity]); // [()] per gradient
      if (!Number.isFinite(stack(maxAbs).max().item() as number)) foundInf = true;
    }
    return foundInf;
  }));
}

function checkState(s: GradScalerState, where: string): void {
  if (s === null || typeof s !== 'object') throw new TypeError(`${where}: expected a state object from stateDict()`);
  const positive = (name: keyof GradScalerState, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${where}: ${name} must be a finite number > 0, got ${String(v)}`);
  };
  positive('scale', s.scale);
  if (!Number.isFinite(Math.fround(s.scale))) throw new RangeError(`${where}: scale ${s.scale} overflows float32`);
  positive('growthFactor', s.growthFactor);
  if (s.growthFactor <= 1) throw new RangeError(`${where}: growthFactor must be > 1, got ${s.growthFactor}`);
  positive('backoffFactor', s.backoffFactor);
  if (s.backoffFactor >= 1) throw new RangeError(`${where}: backoffFactor must be < 1, got ${s.backoffFactor}`);
  if (!Number.isInteger(s.growthInterval) || s.growthInterval < 1) throw new RangeError(`${where}: growthInterval must be an integer >= 1, got ${String(s.growthInterval)}`);
  if (!Number.isInteger(s.growthTracker) || s.growthTracker < 0 || s.growthTracker >= s.growthInterval) {
    throw new RangeError(`${where}: growthTracker must be an integer from 0 to growthInterval - 1, got ${String(s.growthTracker)}`);
  }
}
