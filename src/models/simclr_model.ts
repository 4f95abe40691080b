// The SimCLRv2 model: ResNet encoder -> projection head (every layer exposed) -> optional supervised head on the layer
// ftProjSelector picks. Reference: tf2/model.py Model, ProjectionHead, SupervisedHead; paper section 2 (fine-tuning).
import { type Tensor } from '../tensor/index.js';
import { Linear, Module, init } from '../nn/index.js';
import { parseModelDescription, resolveSelector, withChanges, type ModelDescription, type ModelDescriptionInput } from './description.js';
import { metaParamShapes, type ParamShape } from './param_shapes.js';
import { ProjectionHead, hiddenWidth, type ProjectionHeadOptions } from './projection_head.js';
import { ResNet } from './resnet.js';
import { encoderSpec } from './spec.js';

export interface SimCLROutput {
  /** Encoder features (N, C). */
  h: Tensor;
  /** [h, after projection layer 1, ..., after the last kept layer]; projections[0] is h. */
  projections: Tensor[];
  /** The last entry of projections: the vectors NT-Xent compares (N, outDim), or h without a head. */
  z: Tensor;
  /** Supervised head on projections[ftProjSelector], when the model has one (N, numClasses). */
  logits?: Tensor;
}

export interface ForwardOptions {
  /** Online linear evaluation: the supervised head reads a detached copy, so no gradient reaches the encoder. */
  linearEval?: boolean;
}

export function projectionHeadOptions(d: ModelDescription): ProjectionHeadOptions {
  const inFeatures = encoderSpec(d).outChannels;
  const { numLayers, outDim, keepLayers, hiddenDim } = d.projHead;
  return { inFeatures, hiddenDim, numLayers, outDim, keepLayers, bn: { momentum: d.bnMomentum, eps: d.bnEps } };
}

/** Input width of the supervised head: the width of the selected projection. */
export function supervisedInFeatures(d: ModelDescription): number {
  const head = projectionHeadOptions(d);
  const k = resolveSelector(d.ftProjSelector, d.projHead.keepLayers);
  return k === 0 ? head.inFeatures : k === head.numLayers ? head.outDim : hiddenWidth(head);
}

export class SimCLRModel extends Module {
  readonly encoder: ResNet;
  readonly projectionHead: ProjectionHead;
  supervisedHead: Linear | null = null;
  #description: ModelDescription;

  constructor(description: ModelDescription | ModelDescriptionInput) {
    super();
    this.#description = parseModelDescription(description);
    this.encoder = this.registerModule('encoder', ResNet.fromDescription(this.#description));
    this.projectionHead = this.registerModule('projection_head', new ProjectionHead(projectionHeadOptions(this.#description)));
    if (this.#description.numClasses > 0) this.#attachSupervisedHead();
  }

  /** The model's description (frozen plain data): save it beside a checkpoint to rebuild this exact model. */
  get description(): ModelDescription {
    return this.#description;
  }

  /** Names and shapes of every parameter of the model a description builds, from its constructor on the meta device. */
  static paramShapes(description: ModelDescription | ModelDescriptionInput): ParamShape[] {
    return metaParamShapes(() => new SimCLRModel(description));
  }

  /** (N, C_in, H, W) images -> h, every projection, z and (with a supervised head) logits. Call inside tidy(). */
  forward(x: Tensor, options: ForwardOptions = {}): SimCLROutput {
    const h = this.encoder.forward(x); // (N, C)
    const projections = this.projectionHead.forward(h); // [(N, C), ..., (N, outDim)]
    const z = projections[projections.length - 1];
    if (!this.supervisedHead) return { h, projections, z };
    const selected = projections[resolveSelector(this.#description.ftProjSelector, this.projectionHead.layers.length)];
    const logits = this.supervisedHead.forward(options.linearEval ? selected.detach() : selected); // (N, numClasses)
    return { h, projections, z, logits };
  }

  /**
   * Fine-tuning from a middle layer: keeps projection layers 1..k with their weights, frees the rest, and points the
   * supervised head at the new last layer. k defaults to ftProjSelector. A supervised head whose input width changes is
   * rebuilt fresh.
   */
  cutProjectionHead(k = resolveSelector(this.#description.ftProjSelector, this.projectionHead.layers.length)): this {
    this.projectionHead.cut(k);
    const before = this.supervisedHead ? supervisedInFeatures(this.#description) : 0;
    this.#description = withChanges(this.#description, { projHead: { ...this.#description.projHead, keepLayers: k }, ftProjSelector: -1 });
    if (this.supervisedHead && supervisedInFeatures(this.#description) !== before) this.setSupervisedHead(this.#description.numClasses);
    return this;
  }

  /** Replaces the supervised head (e.g. a new label set for fine-tuning); 0 removes it. */
  setSupervisedHead(numClasses: number, options: { zeroInit?: boolean } = {}): this {
    if (this.supervisedHead) {
      this.removeModule('supervised_head').dispose();
      this.supervisedHead = null;
    }
    this.#description = withChanges(this.#description, { numClasses, zeroInitLogits: options.zeroInit ?? this.#description.zeroInitLogits });
    if (numClasses > 0) this.#attachSupervisedHead();
    return this;
  }

  /** Freezes the encoder's stem and blocks 1..k (see ResNet.setFineTuneAfterBlock). */
  setFineTuneAfterBlock(k: number): this {
    this.encoder.setFineTuneAfterBlock(k);
    return this;
  }

  #attachSupervisedHead(): void {
    const d = this.#description;
    const head = new Linear({ inFeatures: supervisedInFeatures(d), outFeatures: d.numClasses, zeroInit: d.zeroInitLogits });
    if (!d.zeroInitLogits) {
      init.normal_(head.weight, 0, 0.01); // official RandomNormal(stddev=0.01), zero bias
      init.zeros_(head.bias!);
    }
    // As the official LARS setup: the supervised head is neither weight-decayed nor trust-ratio adapted by the optimiser.
    for (const p of head.parameters()) [p.weightDecay, p.larsAdapt] = [false, false];
    this.supervisedHead = this.registerModule('supervised_head', head);
  }
}

/** Builds a model from a description (plain data, e.g. read from a checkpoint's sidecar); validates it first. */
export function buildModel(description: ModelDescription | ModelDescriptionInput): SimCLRModel {
  return new SimCLRModel(description);
}
