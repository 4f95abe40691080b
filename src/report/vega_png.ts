// Renders a Vega-Lite spec to a PNG file: compiled by vega-lite, drawn to SVG by Vega (headless), rasterised by sharp.
// Shared by every chart of the report (curves, label efficiency, embedding map, confusion matrix).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Writes `spec` as a PNG at `out` with `scale` pixels per CSS pixel (default 2); returns its pixel size. */
export async function writeVegaLitePng(out: string, spec: TopLevelSpec, scale = 2): Promise<{ width: number; height: number }> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG(scale);
    await mkdir(dirname(out), { recursive: true });
    const info = await sharp(Buffer.from(svg)).png().toFile(out);
    return { width: info.width, height: info.height };
  } finally {
    view.finalize();
  }
}
