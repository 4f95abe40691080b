// Line charts of run metrics as PNG files: a Vega-Lite spec rendered to SVG by Vega, rasterised by sharp.
import type { TopLevelSpec } from 'vega-lite';
import { writeVegaLitePng } from './vega_png.js';

export interface Series {
  /** Legend name of the line. */
  name: string;
  points: Array<{ x: number; y: number }>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  logY?: boolean;
}

/** Renders one chart of several series to a PNG file at `out` (2x pixel density). */
export async function writeLineChart(out: string, series: Series[], o: ChartOptions): Promise<void> {
  const values = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ ...p, series: s.name })));
  if (values.length === 0) throw new Error(`chart '${o.title}': no data points`);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    width: o.width ?? 480,
    height: o.height ?? 240,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: values.length <= 40 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xLabel },
      y: { field: 'y', type: 'quantitative', title: o.yLabel, scale: o.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
  await writeVegaLitePng(out, spec);
}
