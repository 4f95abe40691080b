// The ResNet encoder with torchvision's parameter names (conv1, bn1, layer1.0.conv1, ..., fc), every SimCLRv2 knob
// (depth, width, selective kernels, SE, stems) and fine_tune_after_block freezing. Reference: tf2/resnet.py, torchvision resnet.py.
import { noGrad, type MemoryFormat, type Tensor } from '../tensor/index.js';
import { type BatchNorm2d, Layer, Linear, type Module, Sequential } from '../nn/index.js';
import { makeBlock } from './blocks.js';
import type { ModelDescription } from './description.js';
import { reluInplace } from './ops.js';
import { metaParamShapes, type ParamShape } from './param_shapes.js';
import { encoderSpec, type EncoderSpec } from './spec.js';
import { makeStem } from './stem.js';

export const STAGE_NAMES = ['layer1', 'layer2', 'layer3', 'layer4'] as const;

export class ResNet extends Layer {
  readonly conv1: Layer;
  readonly bn1: BatchNorm2d;
  readonly maxpool: Layer;
  readonly stages: Sequential[];
  /** torchvision's classifier on the pooled features; null for the SimCLR encoder (features only). */
  readonly fc: Linear | null;
  /**
   * Layout the input is converted to before the stem. Channels-last lets oneDNN skip its NCHW reorders: forward+backward
   * measured 5-28% faster than NCHW here (bench/models.ts: ResNet-18 CIFAR 1x/0.5x, ResNet-50 224; 1 and 2 threads).
   * Converting the weights to channels-last too gave no steady gain, so they stay NCHW (state dicts unchanged).
   */
  memoryFormat: MemoryFormat = 'channelsLast';
  #fineTuneAfterBlock = -1;

  constructor(readonly spec: EncoderSpec) {
    super();
    const stem = makeStem(spec.stem, spec.bn);
    this.conv1 = this.registerModule('conv1', stem.conv1);
    this.bn1 = this.registerModule('bn1', stem.bn1);
    this.maxpool = this.registerModule('maxpool', stem.maxpool);
    this.stages = spec.stages.map((blocks, s) => this.registerModule(STAGE_NAMES[s], new Sequential(...blocks.map(makeBlock))));
    this.fc = spec.numClasses > 0 ? this.registerModule('fc', new Linear({ inFeatures: spec.outChannels, outFeatures: spec.numClasses })) : null;
  }

  /** The encoder of a description; `numClasses` > 0 adds torchvision's fc (e.g. 1000 to load torchvision weights). */
  static fromDescription(description: ModelDescription, options: { numClasses?: number } = {}): ResNet {
    return new ResNet(encoderSpec(description, options.numClasses ?? 0));
  }

  /** Names and shapes of every parameter, from the constructor on the meta device (nothing allocated). */
  static paramShapes(spec: EncoderSpec): ParamShape[] {
    return metaParamShapes(() => new ResNet(spec));
  }

  /** Width of the pooled features h. */
  get outChannels(): number {
    return this.spec.outChannels;
  }

  /** Stem: conv, BN, ReLU, max-pool. (N, C_in, H, W) -> (N, 64w, H/4, W/4), or H/1 for the CIFAR stem. */
  stem(x: Tensor): Tensor {
    return this.maxpool.forward(reluInplace(this.bn1.forward(this.conv1.forward(x))));
  }

  /** Pooled features h: (N, C_in, H, W) -> (N, outChannels). Blocks up to fineTuneAfterBlock run without gradient. */
  features(x: Tensor): Tensor {
    const steps: ((t: Tensor) => Tensor)[] = [(t) => this.stem(t), ...this.stages.map((s) => (t: Tensor) => s.forward(t))];
    const frozen = this.#fineTuneAfterBlock + 1;
    const input = this.memoryFormat === 'contiguous' ? x : x.contiguous(this.memoryFormat); // (N, C_in, H, W)
    const run = (t: Tensor, from: number, to: number) => steps.slice(from, to).reduce((acc, step) => step(acc), t);
    const mid = frozen > 0 ? noGrad(() => run(input, 0, frozen)) : input;
    return run(mid, frozen, steps.length).mean([2, 3]); // (N, outChannels)
  }

  /** As torchvision: logits through fc when there is one, else the pooled features. */
  forward(x: Tensor): Tensor {
    const h = this.features(x); // (N, outChannels)
    return this.fc ? this.fc.forward(h) : h; // (N, numClasses)
  }

  get fineTuneAfterBlock(): number {
    return this.#fineTuneAfterBlock;
  }

  /**
   * Freezes the stem and layer1..layer{k} (official fine_tune_after_block): their parameters get no gradient and their
   * batch norms stay in eval mode even under train(). k = -1 trains everything, 4 freezes the whole encoder.
   */
  setFineTuneAfterBlock(k: number): this {
    if (!Number.isInteger(k) || k < -1 || k > 4) throw new RangeError(`fineTuneAfterBlock must be an integer in -1..4, got ${k}`);
    this.#fineTuneAfterBlock = k;
    const frozen = new Set(this.frozenModules());
    for (const group of this.#groups()) for (const m of group) m.requiresGrad_(!frozen.has(m));
    return this.train(this.training);
  }

  /** The modules fineTuneAfterBlock freezes. */
  frozenModules(): Module[] {
    return this.#groups().slice(0, this.#fineTuneAfterBlock + 1).flat();
  }

  #groups(): Module[][] {
    return [[this.conv1, this.bn1], ...this.stages.map((s) => [s])];
  }

  override train(mode = true): this {
    super.train(mode);
    for (const m of this.frozenModules()) m.train(false);
    return this;
  }
}
