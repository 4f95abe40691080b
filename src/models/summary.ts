// Layer table and parameter counts of a model description, computed from shapes only (no tensors), like torchinfo;
// counts R152-3x+SK (795M) in milliseconds. `simclr summary` prints formatSummaryTable(modelSummary(...)).
import { parseModelDescription, type ModelDescription, type ModelDescriptionInput } from './description.js';
import { countParams, type ParamShape } from './param_shapes.js';
import { STAGE_NAMES } from './resnet.js';
import { SimCLRModel, projectionHeadOptions } from './simclr_model.js';
import { projectionLayerWidths } from './projection_head.js';
import { encoderSpec, type EncoderSpec } from './spec.js';
import { stemOutputSide } from './stem.js';

export interface SummaryRow {
  /** Dotted module name, as in the state dict ("encoder.layer1.0"). */
  name: string;
  type: string;
  /** Nesting level: 0 for encoder / heads, 1 for their parts, 2 for residual blocks. */
  depth: number;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  params: number;
}

export interface ModelSummary {
  description: ModelDescription;
  imageSize: number;
  rows: SummaryRow[];
  paramsEncoder: number;
  /** Projection head + supervised head. */
  paramsHeads: number;
  total: number;
}

const STEM_TYPES = { cifar: 'Conv2d', stride2: 'Conv2d', imagenet: 'Conv2d', deep: 'Sequential' } as const;

function encoderRows(spec: EncoderSpec, imageSize: number): Omit<SummaryRow, 'params'>[] {
  const stemConvSide = spec.stem.kind === 'cifar' ? imageSize : Math.ceil(imageSize / 2);
  const c = spec.stem.outChannels;
  const rows: Omit<SummaryRow, 'params'>[] = [
    { name: 'encoder', type: 'ResNet', depth: 0, outputShape: [spec.outChannels] },
    { name: 'encoder.conv1', type: STEM_TYPES[spec.stem.kind], depth: 1, outputShape: [c, stemConvSide, stemConvSide] },
    { name: 'encoder.bn1', type: 'BatchNorm2d', depth: 1, outputShape: [c, stemConvSide, stemConvSide] },
  ];
  let side = stemOutputSide(spec.stem, imageSize);
  if (spec.stem.kind === 'imagenet' || spec.stem.kind === 'deep') rows.push({ name: 'encoder.maxpool', type: 'MaxPool2d', depth: 1, outputShape: [c, side, side] });
  spec.stages.forEach((blocks, s) => {
    const stageRow = { name: `encoder.${STAGE_NAMES[s]}`, type: 'Sequential', depth: 1, outputShape: [] as number[] };
    rows.push(stageRow);
    blocks.forEach((b, i) => {
      side = b.stride === 2 ? Math.ceil(side / 2) : side;
      rows.push({ name: `${stageRow.name}.${i}`, type: b.kind === 'basic' ? 'BasicBlock' : 'Bottleneck', depth: 2, outputShape: [b.outChannels, side, side] });
    });
    stageRow.outputShape = rows[rows.length - 1].outputShape;
  });
  rows.push({ name: 'encoder.avgpool', type: 'GlobalAvgPool', depth: 1, outputShape: [spec.outChannels] });
  return rows;
}

function headRows(d: ModelDescription): Omit<SummaryRow, 'params'>[] {
  const head = projectionHeadOptions(d);
  const widths = projectionLayerWidths(head);
  const rows = widths.length ? [{ name: 'projection_head', type: 'ProjectionHead', depth: 0, outputShape: [widths[widths.length - 1]] }] : [];
  widths.forEach((w, i) => rows.push({ name: `projection_head.${i}`, type: 'ProjectionLayer', depth: 1, outputShape: [w] }));
  if (d.numClasses > 0) rows.push({ name: 'supervised_head', type: 'Linear', depth: 0, outputShape: [d.numClasses] });
  return rows;
}

function paramsUnder(shapes: ParamShape[], prefix: string): number {
  return countParams(shapes.filter(([name]) => name.startsWith(`${prefix}.`)));
}

/**
 * The summary of the model a description builds. `imageSize` overrides the description's; with raw input (no `stem`
 * given) the stem follows it, a parsed description keeps its resolved stem.
 */
export function modelSummary(description: ModelDescription | ModelDescriptionInput, options: { imageSize?: number } = {}): ModelSummary {
  const input = description as ModelDescriptionInput;
  const d = parseModelDescription(options.imageSize === undefined ? input : { ...input, imageSize: options.imageSize });
  const shapes = SimCLRModel.paramShapes(d);
  const rows = [...encoderRows(encoderSpec(d), d.imageSize), ...headRows(d)].map((r) => ({ ...r, params: paramsUnder(shapes, r.name) }));
  const paramsEncoder = paramsUnder(shapes, 'encoder');
  const total = countParams(shapes);
  return { description: d, imageSize: d.imageSize, rows, paramsEncoder, paramsHeads: total - paramsEncoder, total };
}

/** Number of parameters of the encoder a description builds (no allocation). */
export function countEncoderParameters(description: ModelDescription | ModelDescriptionInput): number {
  return modelSummary(description).paramsEncoder;
}

const int = (n: number) => n.toLocaleString('en-US');

/** The summary as a fixed-width text table followed by the encoder / heads / total counts. */
export function formatSummaryTable(summary: ModelSummary): string {
  const d = summary.description;
  const title = `ResNet-${d.depth} ${d.widthMultiplier}x${d.skRatio > 0 ? ` +SK(${d.skRatio})` : ''}${d.seRatio > 0 ? ` +SE(${d.seRatio})` : ''}` +
    `, ${d.stem} stem, ${d.inChannels}x${summary.imageSize}x${summary.imageSize} input`;
  const cells = summary.rows.map((r) => [`${'  '.repeat(r.depth)}${r.name} (${r.type})`, `[B, ${r.outputShape.join(', ')}]`, int(r.params)]);
  const header = ['Layer (type)', 'Output shape', 'Params'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `${c[0].padEnd(widths[0])}  ${c[1].padEnd(widths[1])}  ${c[2].padStart(widths[2])}`;
  const rule = '='.repeat(widths[0] + widths[1] + widths[2] + 4);
  return [
    title, rule, line(header), rule, ...cells.map(line), rule,
    `Encoder params: ${int(summary.paramsEncoder)}`, `Head params:    ${int(summary.paramsHeads)}`, `Total params:   ${int(summary.total)}`,
  ].join('\n');
}
