// The weights an export reads: a state dict (PyTorch names) checked against the shapes the model description implies,
// copied out of libtorch as float32 on first use. Every problem names the weight at fault.
import { SimCLRModel, type ModelDescription } from '../models/index.js';
import { isFloatingDType, tidy, type Tensor } from '../tensor/index.js';

export interface WeightValues {
  data: Float32Array;
  shape: number[];
}

export class ExportWeights {
  readonly #tensors: ReadonlyMap<string, Tensor>;
  readonly #expected: Map<string, number[]>;

  /** Refuses weights that lack a parameter of `description` or hold it with another shape. */
  constructor(tensors: ReadonlyMap<string, Tensor>, description: ModelDescription, readonly source: string) {
    this.#tensors = tensors;
    this.#expected = new Map(SimCLRModel.paramShapes(description));
    for (const [name, shape] of this.#expected) this.#check(name, shape);
  }

  /** True when the state dict has `name` (optional tensors: a BatchNorm without beta has no bias). */
  has(name: string): boolean {
    return this.#tensors.has(name);
  }

  /** A weight's values (a float32 copy, C order) and shape; `shape`, when given, is checked too. */
  get(name: string, shape?: readonly number[]): WeightValues {
    const t = this.#tensors.get(name);
    if (!t) throw new Error(`${this.source}: no weight '${name}' (the model description needs it)`);
    const expected = shape ?? this.#expected.get(name);
    if (expected) this.#check(name, expected);
    const data = tidy(() => t.detach().to('cpu').to('float32').contiguous().dataSync() as Float32Array); // a copy
    return { data, shape: [...t.shape] };
  }

  #check(name: string, shape: readonly number[]): void {
    const t = this.#tensors.get(name);
    if (!t) throw new Error(`${this.source}: no weight '${name}' (the model description needs it)`);
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new Error(`${this.source}: weight '${name}' has shape [${t.shape}] but the model description needs [${shape}]`);
    }
    if (!isFloatingDType(t.dtype)) throw new Error(`${this.source}: weight '${name}' is ${t.dtype}, expected a float tensor`);
  }
}
