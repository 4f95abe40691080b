// Test helpers for the ONNX export: models with every weight and BN statistic perturbed (so that no branch is an
// identity at init), onnxruntime-node sessions on exported bytes, and the libtorch eval forward to compare with.
import { fromBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { ModelProtoSchema, type ModelProto } from '../../src/export/proto/onnx_pb.js';
import { buildModel, type ModelDescriptionInput, type SimCLRModel } from '../../src/models/index.js';
import { F, noGrad, rand, randn, tidy, type Tensor } from '../../src/tensor/index.js';

/**
 * Images (N, C, S, S) in [0, 1] that differ from each other as photos do (brightness, contrast, smooth shapes, then
 * noise): on pure noise every image has nearly the same deep features, and statistics taken on them are degenerate.
 */
export function testImages(n: number, channels: number, side: number): Tensor {
  return tidy(() => {
    const low = Math.max(2, Math.round(side / 4));
    const shapes = F.interpolate(randn([n, channels, low, low]), { size: [side, side], mode: 'bilinear', alignCorners: false }); // (N, C, S, S)
    const brightness = rand([n, 1, 1, 1]).mul(0.6).add(0.2); // (N, 1, 1, 1)
    const contrast = rand([n, channels, 1, 1]).mul(0.3); // (N, C, 1, 1)
    return shapes.mul(contrast).add(brightness).add(randn([n, channels, side, side]).mul(0.05)).clamp(0, 1); // (N, C, S, S)
  });
}

/**
 * A model in eval mode whose every float weight is perturbed (BN gammas in [0.5, 1.5], the zero-initialised residual
 * gammas too, so that no branch is an identity) and whose BN running statistics are those of 32 test images
 * (bnMomentum 1 for one forward in train mode), so that activations keep a trained network's scale through the depth.
 * The variances get + 0.1: on 32 synthetic images some channels barely vary, and their 1 / sqrt(var) then amplifies
 * float32 rounding so much that libtorch's own channels-last and NCHW forwards differ by 5e-4 at ResNet-50 depth.
 */
export function perturbedModel(description: ModelDescriptionInput): SimCLRModel {
  const model = buildModel({ ...description, bnMomentum: 1 });
  noGrad(() => {
    for (const [name, t] of model.stateDict()) {
      if (t.dtype !== 'float32') continue;
      tidy(() => (t.ndim === 1 && name.endsWith('.weight') ? t.copy_(rand(t.shape).add(0.5)) : t.add_(randn(t.shape).mul(0.05))));
    }
    const { inChannels, imageSize } = model.description;
    tidy(() => {
      model.train().forward(testImages(32, inChannels, imageSize)); // running stats = this batch's
    });
    for (const [name, t] of model.stateDict()) if (name.endsWith('running_var')) t.add_(0.1);
  });
  return model.eval();
}

/** The libtorch eval forward: the encoder output at projection layer k, or the classifier's softmax. */
export function torchForward(model: SimCLRModel, x: Tensor, what: 'encoder' | 'classifier', k = 0): Float32Array {
  return tidy(() => noGrad(() => {
    const out = model.forward(x);
    return what === 'encoder' ? out.projections[k] : F.softmax(out.logits!, 1); // (N, D)
  }).dataSync() as Float32Array);
}

/** Runs an exported model on x with onnxruntime-node: [output values, output dims]. */
export async function runOnnx(bytes: Uint8Array, x: Tensor, output: string): Promise<[Float32Array, number[]]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ image: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
    const y = result[output];
    return [y.data as Float32Array, y.dims.map(Number)];
  } finally {
    await session.release();
  }
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return fromBinary(ModelProtoSchema, bytes);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
