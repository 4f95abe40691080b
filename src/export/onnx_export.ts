// ONNX export of a SimCLR model (description + weights): a pretrained encoder (image -> features) or a classifier
// (image -> class probabilities), eval mode, opset 17, dynamic batch, for onnxruntime-node / -web. Reference: onnx/IR.md.
import { toBinary, create } from '@bufbuild/protobuf';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { encoderSpec, parseModelDescription, resolveSelector, SimCLRModel, toPlain, type ModelDescription, type ModelDescriptionInput } from '../models/index.js';
import { writeFileAtomicSync, type Tensor } from '../tensor/index.js';
import { emitEncoder } from './encoder_graph.js';
import { GraphBuilder, type Dim } from './graph.js';
import { emitClassifier, emitProjections } from './head_graph.js';
import { LayerEmitter, type Value } from './layers.js';
import { ModelProtoSchema, OperatorSetIdProtoSchema, StringStringEntryProtoSchema } from './proto/onnx_pb.js';
import { ExportWeights } from './weights.js';

/** Opset 17 (ONNX 1.12): supported by every onnxruntime-node / onnxruntime-web release since 1.12. */
export const ONNX_OPSET = 17;
/** IR version 8 is the one that goes with opset 17. */
export const ONNX_IR_VERSION = 8;
/** protobuf's message limit: larger models would need ONNX external data files. */
const MAX_INLINE_BYTES = 2 ** 31 - 2 ** 24;

export type OnnxWhat = 'encoder' | 'classifier';
/** 'h' = encoder output, 'z' = last projection layer, k = after projection layer k (0 = h), as `simclr embed --feature`. */
export type OnnxFeature = 'h' | 'z' | number;

/** A model as plain parts: its description and its weights by PyTorch name (e.g. a checkpoint's). */
export interface OnnxModelSource {
  description: ModelDescription | ModelDescriptionInput;
  weights: ReadonlyMap<string, Tensor>;
}

export interface OnnxExportOptions {
  what: OnnxWhat;
  /** The encoder graph's output (default 'h'); not for classifiers. */
  feature?: OnnxFeature;
  /** Class names of a classifier, in output order (stored in the model's metadata). */
  classNames?: readonly string[] | null;
  /** Where the weights come from (a checkpoint path): named in errors and in the model's doc string. */
  source?: string;
  /** Further metadata_props entries. */
  metadata?: Readonly<Record<string, string>>;
}

/** What a program needs to use the file; written beside it as `<file>.json` for pages that cannot read ONNX metadata. */
export interface OnnxInfo {
  format: typeof ONNX_INFO_FORMAT;
  what: OnnxWhat;
  opset: number;
  input: { name: string; shape: Dim[]; description: string };
  output: { name: string; shape: Dim[]; description: string };
  /** Encoder: the projection layer the graph ends at (0 = h); classifier: the layer its head reads. */
  projectionLayer: number;
  /** A classifier's class names in output order, when known. */
  classNames: string[] | null;
  /** The model description (src/models/description.ts). */
  model: ModelDescriptionInput;
}

export interface OnnxExport {
  bytes: Uint8Array;
  info: OnnxInfo;
}

export const ONNX_INFO_FORMAT = 'simclr-ts-onnx/1';

/** What the graph expects: the model's forward input after the evaluation transform (src/data/augment.ts evalTransform). */
function inputDoc(d: ModelDescription): string {
  const crop = d.imageSize > 32 ? `; as the training code evaluates: a central square crop of 0.875 of the side, resized back to ${d.imageSize} (bicubic)` : '';
  return `float32 (batch, ${d.inChannels}, ${d.imageSize}, ${d.imageSize}), ${d.inChannels === 1 ? 'grayscale' : 'RGB'} pixel values / 255 in [0, 1], no mean/std normalisation${crop}`;
}

function projectionLayer(d: ModelDescription, o: OnnxExportOptions, source: string): number {
  const layers = d.projHead.keepLayers;
  if (o.what === 'classifier') {
    if (o.feature !== undefined) throw new Error(`${source}: 'feature' applies to an encoder export, not to a classifier`);
    if (d.numClasses === 0) throw new Error(`${source} has no classifier head (numClasses 0): export it as an encoder`);
    return resolveSelector(d.ftProjSelector, layers);
  }
  const feature = o.feature ?? 'h';
  const k = feature === 'h' ? 0 : feature === 'z' ? layers : feature;
  if (!Number.isInteger(k) || k < 0 || k > layers) {
    throw new RangeError(`${source}: feature ${feature}: this model has projection layers 0..${layers} (0 = encoder output h), 'h' or 'z'`);
  }
  return k;
}

function exportInfo(d: ModelDescription, o: OnnxExportOptions, k: number, input: Dim[], output: { name: string; shape: Dim[] }): OnnxInfo {
  const names = o.what === 'classifier' && o.classNames ? [...o.classNames] : null;
  if (names && names.length !== d.numClasses) {
    throw new RangeError(`${o.source ?? 'model'}: ${names.length} class names for a classifier of ${d.numClasses} classes`);
  }
  const description = o.what === 'classifier'
    ? `softmax probabilities over ${d.numClasses} classes${names ? ' (classNames order)' : ''}`
    : k === 0 ? 'encoder features h (pooled ResNet output)' : `features after projection layer ${k}`;
  return {
    format: ONNX_INFO_FORMAT, what: o.what, opset: ONNX_OPSET, input: { name: 'image', shape: input, description: inputDoc(d) },
    output: { ...output, description },
    projectionLayer: k, classNames: names, model: toPlain(d),
  };
}

/** metadata_props: the info's fields as strings (JSON where not text), then the caller's entries. */
function metadata(info: OnnxInfo, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    'simclr.format': info.format, 'simclr.what': info.what, 'simclr.input': info.input.description, 'simclr.output': info.output.description,
    'simclr.projection_layer': String(info.projectionLayer), ...(info.classNames ? { 'simclr.class_names': JSON.stringify(info.classNames) } : {}),
    'simclr.model': JSON.stringify(info.model), ...extra,
  };
}

function checkWhat(what: unknown): asserts what is OnnxWhat {
  if (what !== 'encoder' && what !== 'classifier') throw new TypeError(`ONNX export: what must be 'encoder' or 'classifier', got '${String(what)}'`);
}

/** The ONNX model of `model` (a SimCLRModel, or a description + weights) as protobuf bytes. */
export function exportOnnx(model: SimCLRModel | OnnxModelSource, o: OnnxExportOptions): OnnxExport {
  checkWhat(o.what);
  const d = model instanceof SimCLRModel ? model.description : parseModelDescription(model.description);
  const source = o.source ?? 'model';
  const weights = new ExportWeights(model instanceof SimCLRModel ? model.stateDict() : model.weights, d, source);
  const k = projectionLayer(d, o, source);
  const g = new GraphBuilder();
  const e = new LayerEmitter(g, weights, source);
  const inputShape: Dim[] = ['batch', d.inChannels, d.imageSize, d.imageSize];
  const image: Value = { name: g.input('image', inputShape), shape: inputShape.slice(1) as number[] };
  const selected = emitProjections(e, emitEncoder(e, encoderSpec(d), image, 'encoder'), k, d.projHead.numLayers, d.bnEps); // (N, D)
  const out = o.what === 'classifier' ? emitClassifier(e, selected, 'probabilities') : { name: g.node('Identity', [selected.name], 'features'), shape: selected.shape };
  const info = exportInfo(d, o, k, inputShape, { name: out.name, shape: ['batch', ...out.shape] });
  g.output(out.name, info.output.shape);
  if (g.initializerBytes > MAX_INLINE_BYTES) {
    throw new RangeError(`${source}: ${(g.initializerBytes / 2 ** 30).toFixed(2)} GiB of weights: an ONNX file with inline weights holds at most 2 GiB`);
  }
  const proto = create(ModelProtoSchema, {
    irVersion: BigInt(ONNX_IR_VERSION),
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(ONNX_OPSET) })],
    producerName: 'simclr-ts',
    docString: `SimCLRv2 ${o.what} exported from ${source}`,
    graph: g.build(`simclr_${o.what}`),
    metadataProps: Object.entries(metadata(info, o.metadata)).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
  });
  return { bytes: toBinary(ModelProtoSchema, proto), info };
}

/** Refuses, naming the path, an output that is not an .onnx file name or cannot be written; no side effect. */
export function checkOnnxPath(path: string): void {
  if (!/\.onnx$/i.test(path)) throw new Error(`output ${path}: name the file .onnx`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`output ${path} is a folder: give a file name`);
  let ancestor = dirname(resolve(path));
  while (!existsSync(ancestor)) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) throw new Error(`cannot write output ${path}: ${ancestor} is a file, not a folder`);
}

/** The sidecar of an .onnx file: `<file>.json` holding its OnnxInfo. */
export function onnxInfoPath(path: string): string {
  return `${path}.json`;
}

/**
 * Exports and writes the .onnx file, then its `<file>.json` info, each atomically (temp file + rename): an existing
 * file is replaced whole or kept, and nothing is written when the export fails.
 */
export function saveOnnx(path: string, model: SimCLRModel | OnnxModelSource, o: OnnxExportOptions): OnnxExport & { path: string; infoPath: string } {
  checkOnnxPath(path);
  const result = exportOnnx(model, o);
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileAtomicSync(path, result.bytes);
  const infoPath = onnxInfoPath(path);
  writeFileAtomicSync(infoPath, new TextEncoder().encode(`${JSON.stringify({ ...result.info, onnx: basename(path) }, null, 2)}\n`));
  return { ...result, path, infoPath };
}
