// Module: the base of every layer and model, as torch.nn.Module. Holds named parameters, buffers and
// submodules registered explicitly; walks them with PyTorch-style dotted names.
import { isDType, isFloatingDType, noGrad, keep, tidy, Tensor } from '../tensor/index.js';
import { Parameter } from './parameter.js';

export type StateDict = Map<string, Tensor>;

export abstract class Module {
  training = true;
  readonly #parameters = new Map<string, Parameter | null>();
  readonly #buffers = new Map<string, { tensor: Tensor | null; persistent: boolean }>();
  readonly #children = new Map<string, Module>();

  /** Registers a parameter under `name` and returns it (`this.weight = this.registerParameter('weight', ...)`). */
  registerParameter<P extends Parameter | null>(name: string, param: P): P {
    this.#checkName(name, this.#parameters);
    this.#parameters.set(name, param);
    return param;
  }

  /** Registers a buffer (state that is not trained, e.g. running statistics); persistent ones are saved. */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, persistent = true): T {
    this.#checkName(name, this.#buffers);
    if (tensor) keep(tensor);
    this.#buffers.set(name, { tensor, persistent });
    return tensor;
  }

  registerModule<M extends Module>(name: string, module: M): M {
    this.#checkName(name, this.#children);
    this.#children.set(name, module);
    return module;
  }

  /** Unregisters a submodule and returns it (as `del module.name`); the caller owns it: dispose or re-register it. */
  removeModule(name: string): Module {
    const child = this.#children.get(name);
    if (!child) throw new RangeError(`${this.constructor.name}: no submodule '${name}'`);
    this.#children.delete(name);
    return child;
  }

  #checkName(name: string, into: Map<string, unknown>): void {
    if (!name || name.includes('.')) throw new TypeError(`${this.constructor.name}: invalid name '${name}' (non-empty, no dots)`);
    if (into.has(name)) throw new TypeError(`${this.constructor.name}: '${name}' is already registered`);
  }

  /** Replaces a registered buffer's tensor (disposing the old one), e.g. after loading. */
  protected setBuffer(name: string, tensor: Tensor): void {
    const entry = this.#buffers.get(name);
    if (!entry) throw new RangeError(`${this.constructor.name}: no buffer '${name}'`);
    if (entry.tensor && entry.tensor !== tensor) entry.tensor.dispose();
    entry.tensor = keep(tensor);
  }

  *namedChildren(): Generator<[string, Module]> {
    yield* this.#children;
  }

  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.#children) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  modules(): Module[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  *namedParameters(prefix = ''): Generator<[string, Parameter]> {
    for (const [modulePrefix, module] of this.namedModules(prefix)) {
      for (const [name, p] of module.#parameters) if (p) yield [modulePrefix ? `${modulePrefix}.${name}` : name, p];
    }
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  *namedBuffers(prefix = '', persistentOnly = false): Generator<[string, Tensor]> {
    for (const [modulePrefix, module] of this.namedModules(prefix)) {
      for (const [name, b] of module.#buffers) {
        if (b.tensor && (!persistentOnly || b.persistent)) yield [modulePrefix ? `${modulePrefix}.${name}` : name, b.tensor];
      }
    }
  }

  /** Total number of parameter elements (optionally only trainable ones). */
  numParameters(trainableOnly = false): number {
    return this.parameters().filter((p) => !trainableOnly || p.requiresGrad).reduce((n, p) => n + p.numel, 0);
  }

  /** Sets training mode here and, through each child's own train(), in every submodule (so overrides apply). */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.#children.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Turns gradient recording of every parameter on or off (freezing). */
  requiresGrad_(flag: boolean): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /**
   * Moves every parameter and buffer to a device ('cuda:0', 'cpu'), or casts the floating-point ones to a floating
   * dtype, in place: as torch.nn.Module.to, the Parameter and buffer objects stay the same ones (optimisers and layers
   * keep their references) and gradients move with their parameters. Returns this.
   */
  to(target: string): this {
    if (isDType(target) && !isFloatingDType(target)) throw new TypeError(`${this.constructor.name}.to: '${target}' is not a floating-point dtype`);
    const convert = (t: Tensor): Tensor | null => (isDType(target) ? (isFloatingDType(t.dtype) ? t.to(target) : null) : t.to(target));
    tidy(() => noGrad(() => {
      for (const p of this.parameters()) {
        const moved = convert(p.detach());
        if (!moved) continue;
        const grad = p.grad;
        p.grad = null; // libtorch refuses a gradient of another device or dtype than its parameter
        p.setData_(moved);
        if (grad) p.grad = convert(grad);
      }
      for (const [, b] of this.namedBuffers()) {
        const moved = convert(b.detach());
        if (moved) b.setData_(moved);
      }
    }));
    return this;
  }

  /** The device of this module's first parameter or buffer ('cpu' for a module with neither). */
  get device(): string {
    const first = this.parameters()[0] ?? this.namedBuffers().next().value?.[1];
    return first ? first.device : 'cpu';
  }

  /** Clears every parameter's .grad (set to none, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters and persistent buffers by dotted name, in registration order. The tensors are the module's
   * own (not copies): read or save them, do not dispose them.
   */
  stateDict(): StateDict {
    // Per module: parameters then persistent buffers, the order torch.nn.Module.state_dict() uses.
    const out: StateDict = new Map();
    for (const [prefix, module] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of module.#parameters) if (p) out.set(key(name), p);
      for (const [name, b] of module.#buffers) if (b.tensor && b.persistent) out.set(key(name), b.tensor);
    }
    return out;
  }

  /**
   * Copies values into this module's parameters and buffers. With strict (default), throws on the first
   * missing or unexpected key; any shape mismatch throws naming the key. Returns what was missing/unexpected.
   */
  loadStateDict(state: StateDict | Record<string, Tensor>, options: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
    const strict = options.strict ?? true;
    const source = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !source.has(k));
    const unexpected = [...source.keys()].filter((k) => !own.has(k));
    if (strict && missing.length) throw new Error(`loadStateDict: missing key '${missing[0]}' (${missing.length} missing in all)`);
    if (strict && unexpected.length) throw new Error(`loadStateDict: unexpected key '${unexpected[0]}' (${unexpected.length} unexpected in all)`);
    for (const [key, target] of own) {
      const value = source.get(key);
      if (!value) continue;
      const [a, b] = [target.shape, value.shape];
      if (a.length !== b.length || a.some((s, i) => s !== b[i])) {
        throw new Error(`loadStateDict: '${key}' has shape [${b}] in the state dict but [${a}] in the model`);
      }
      noGrad(() => target.copy_(value));
    }
    return { missing, unexpected };
  }

  /** Frees every parameter and buffer of this module and its submodules. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}
