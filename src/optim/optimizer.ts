// Optimizer: the base of SGD, LARS and AdamW, as torch.optim.Optimizer. Parameter groups with their own
// hyperparameters, per-parameter state (momentum buffers, moments), in-place steps, state save/restore.
import { keep, noGrad, tidy, Tensor, zerosLike } from '../tensor/index.js';
import { Parameter } from '../nn/parameter.js';

/** Hyperparameters every group has; optimisers add their own (momentum, betas, ...). */
export interface GroupOptions {
  lr: number;
  weightDecay: number;
}

/** A parameter group: its parameters and its hyperparameters (plain numbers and booleans). */
export type ParamGroup<O extends GroupOptions> = O & { params: Parameter[] };

/** Parameters alone (one group with the defaults) or groups that override some defaults. */
export type ParamsInput<O extends GroupOptions> = Parameter[] | Array<{ params: Parameter[] } & Partial<O>>;

/** Per-parameter state: named tensors (owned by the optimiser) and a step count kept on the host. */
export interface ParamState {
  step: number;
  buffers: Map<string, Tensor>;
}

/** The JSON half of an optimiser's state dict; tensors live beside it as `state.<index>.<name>`. */
export interface OptimizerMeta {
  optimizer: string;
  /** Each group's hyperparameters and the indices of its parameters. */
  paramGroups: Array<{ options: Record<string, number | boolean>; params: number[] }>;
  /** Step count per parameter index, for parameters that have state. */
  steps: Record<string, number>;
}

/** An optimiser's state: tensors (copies, owned by the caller) and JSON, e.g. for a safetensors checkpoint. */
export interface OptimizerState {
  tensors: Map<string, Tensor>;
  meta: OptimizerMeta;
}

export abstract class Optimizer<O extends GroupOptions> {
  readonly paramGroups: ParamGroup<O>[];
  readonly #state = new Map<Parameter, ParamState>();

  /** `name` is written into the state dict and checked on load (e.g. 'SGD'). */
  constructor(readonly name: string, params: ParamsInput<O>, defaults: O) {
    const specs = params.length > 0 && params[0] instanceof Tensor ? [{ params: params as Parameter[] }] : (params as Array<{ params: Parameter[] } & Partial<O>>);
    if (specs.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    const seen = new Set<Parameter>();
    this.paramGroups = specs.map((spec, g) => {
      if (!Array.isArray(spec.params)) throw new TypeError(`${name}: param group ${g} needs a 'params' array`);
      for (const [i, p] of spec.params.entries()) {
        if (!(p instanceof Parameter)) throw new TypeError(`${name}: param group ${g}, entry ${i} is not a Parameter`);
        if (seen.has(p)) throw new RangeError(`${name}: a parameter appears twice (group ${g}, entry ${i})`);
        seen.add(p);
      }
      const group = { ...defaults, ...spec, params: [...spec.params] } as ParamGroup<O>;
      this.checkGroup(group, g);
      return group;
    });
  }

  /** Validates one group's hyperparameters; throws naming the group and the option. */
  protected checkGroup(group: ParamGroup<O>, index: number): void {
    if (!(group.lr >= 0)) throw new RangeError(`${this.name}: lr must be >= 0, got ${group.lr} (group ${index})`);
    if (!(group.weightDecay >= 0)) throw new RangeError(`${this.name}: weightDecay must be >= 0, got ${group.weightDecay} (group ${index})`);
  }

  /**
   * Updates one parameter in place from its gradient. Runs inside noGrad and a tidy scope (temporaries are
   * freed); new state tensors must come from `buffer()`. Must not read values back to the host.
   */
  protected abstract updateParameter(p: Parameter, grad: Tensor, group: ParamGroup<O>, state: ParamState): void;

  /** A state tensor of `state`, created by `init` (and then owned by the optimiser) on first use. */
  protected buffer(state: ParamState, name: string, init: () => Tensor): Tensor {
    let t = state.buffers.get(name);
    if (!t) {
      t = keep(init());
      state.buffers.set(name, t);
    }
    return t;
  }

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    tidy(() => noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (!grad) continue;
          let state = this.#state.get(p);
          if (!state) this.#state.set(p, (state = { step: 0, buffers: new Map() }));
          state.step += 1;
          this.updateParameter(p, grad, p.lrScale === 1 ? group : { ...group, lr: group.lr * p.lrScale }, state);
        }
      }
    }));
  }

  /** Clears every parameter's gradient (sets it to none, as PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** Sets the learning rate of every group (for schedules). */
  setLr(lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new RangeError(`${this.name}.setLr: lr must be a finite number >= 0, got ${lr}`);
    for (const group of this.paramGroups) group.lr = lr;
  }

  /** Every parameter in group order; a parameter's index here names its state. */
  #allParams(): Parameter[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The state of one parameter, or undefined before its first step (for tests and inspection). */
  stateOf(p: Parameter): ParamState | undefined {
    return this.#state.get(p);
  }

  /**
   * Hyperparameters, step counts and state tensors keyed by parameter index (as torch's state_dict).
   * The tensors are copies owned by the current scope: save them, then dispose them (or let tidy).
   */
  stateDict(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    const steps: Record<string, number> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...hyper } = group;
      const indices = params.map((p) => {
        const state = this.#state.get(p);
        if (state) {
          steps[index] = state.step;
          for (const [name, t] of state.buffers) tensors.set(`state.${index}.${name}`, t.clone());
        }
        return index++;
      });
      return { options: { ...(hyper as unknown as Record<string, number | boolean>) }, params: indices };
    });
    return { tensors, meta: { optimizer: this.name, paramGroups, steps } };
  }

  /**
   * Restores what stateDict() returned into an optimiser over the same parameters (same groups and order).
   * Validates everything before changing anything; copies the tensors into each parameter's dtype and device.
   */
  loadStateDict(state: OptimizerState): void {
    const { meta, tensors } = state;
    this.#checkMeta(meta);
    const params = this.#allParams();
    const where = `${this.name}.loadStateDict`;
    for (const i of Object.keys(meta.steps)) {
      if (!(Number(i) < params.length)) throw new RangeError(`${where}: step count for parameter ${i}, which does not exist here`);
    }
    const entries = [...tensors].map(([key, t]) => {
      const match = /^state\.(\d+)\.(\w+)$/.exec(key);
      const index = match ? Number(match[1]) : -1;
      if (!match || index >= params.length) throw new RangeError(`${where}: unexpected tensor key '${key}'`);
      const [a, b] = [params[index].shape, t.shape];
      if (a.length !== b.length || a.some((s, i) => s !== b[i])) {
        throw new RangeError(`${where}: '${key}' has shape [${b}] but parameter ${index} has shape [${a}]`);
      }
      if (meta.steps[index] === undefined) throw new RangeError(`${where}: '${key}' has no step count in meta.steps`);
      return { index, name: match[2], t };
    });
    this.dispose();
    for (const [i, step] of Object.entries(meta.steps)) this.#state.set(params[Number(i)], { step, buffers: new Map() });
    for (const { index, name, t } of entries) {
      const p = params[index];
      this.#state.get(p)!.buffers.set(name, keep(noGrad(() => zerosLike(p).copy_(t)))); // like p
    }
    meta.paramGroups.forEach((saved, g) => Object.assign(this.paramGroups[g], saved.options));
  }

  #checkMeta(meta: OptimizerMeta): void {
    const where = `${this.name}.loadStateDict`;
    if (meta.optimizer !== this.name) throw new TypeError(`${where}: the state is from a '${meta.optimizer}' optimiser`);
    if (meta.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${where}: the state has ${meta.paramGroups.length} parameter groups, this optimiser ${this.paramGroups.length}`);
    }
    meta.paramGroups.forEach((saved, g) => {
      const own = this.paramGroups[g];
      if (saved.params.length !== own.params.length) {
        throw new RangeError(`${where}: group ${g} has ${saved.params.length} parameters in the state, ${own.params.length} here`);
      }
      for (const [key, value] of Object.entries(saved.options)) {
        if (key === 'params' || typeof value !== typeof (own as unknown as Record<string, unknown>)[key]) {
          throw new TypeError(`${where}: group ${g} option '${key}' is ${typeof value} in the state, unknown or of another type here`);
        }
      }
    });
  }

  /** Frees every state tensor (momentum buffers, moments); the optimiser starts afresh after this. */
  dispose(): void {
    for (const state of this.#state.values()) for (const t of state.buffers.values()) t.dispose();
    this.#state.clear();
  }
}
