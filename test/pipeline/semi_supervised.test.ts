// The whole pipeline on tiny settings: every stage folder, a well-formed report with decodable PNG plots,
// the baseline trained on exactly the fine-tuning subset, and stage-by-stage resumption.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { pipelinePresets } from '../../src/pipeline/pipeline_presets.js';
import { runPipeline } from '../../src/pipeline/semi_supervised.js';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

test('tiny pipeline: stages, report table, plots, shared label subsets, no redo on rerun', async () => {
  const out = mkdtempSync(join(tmpdir(), 'simclr-pipeline-'));
  try {
    const result = await runPipeline({ out, plan: pipelinePresets.tiny });
    assert.ok(result);
    assert.equal(result.results.length, 8);
    for (const fraction of ['1pct', '10pct']) {
      const ft = json(join(out, `finetune-${fraction}`, 'summary.json'));
      const sup = json(join(out, `supervised-${fraction}`, 'summary.json'));
      assert.equal(ft.init, 'simclr');
      assert.equal(sup.init, 'supervised');
      assert.equal(sup.labels_sha256, ft.labels_sha256, 'baseline and SimCLR must use the same labelled subset');
      const indices = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => /^\d+$/.test(l));
      assert.deepEqual(indices(sup.labels_file), indices(ft.labels_file));
      assert.ok(indices(ft.labels_file).length > 0);
      for (const kind of ['self', 'small']) assert.equal(typeof json(join(out, `distill-${kind}-${fraction}`, 'summary.json')).top1, 'number');
      assert.equal(json(join(out, `distill-small-${fraction}`, 'summary.json')).steps, 6, 'smallDistill overrides distill for the small student');
      assert.equal(json(join(out, `distill-self-${fraction}`, 'summary.json')).steps, 4);
    }
    const md = readFileSync(result.report.markdown, 'utf8');
    const table = md.split('\n').filter((l) => l.startsWith('|') && l.includes('labels, top-1'));
    assert.equal(table.length, 1, 'one results table header');
    const results = md.slice(md.indexOf('## Results'), md.indexOf('## Curves'));
    const rows = results.split('\n').filter((l) => /^\| (Supervised baseline|SimCLRv2 fine-tuned|Distilled, self|Distilled, small)/.test(l));
    assert.equal(rows.length, 4);
    for (const row of rows) assert.match(row, /^\| [^|]+ \| \d+\.\d \| \d+\.\d \|$/);
    assert.match(readFileSync(result.report.html, 'utf8'), /<table>[\s\S]*SimCLRv2 fine-tuned[\s\S]*<\/table>/);
    assert.ok(result.report.plots.length >= 4);
    for (const png of result.report.plots) {
      const meta = await sharp(png).metadata();
      assert.equal(meta.format, 'png');
      assert.ok((meta.width ?? 0) > 200 && (meta.height ?? 0) > 100);
    }
    // A rerun finds every stage finished and only rewrites the report.
    const mtime = statSync(join(out, 'pretrain', 'summary.json')).mtimeMs;
    const again = await runPipeline({ out, plan: pipelinePresets.tiny });
    assert.deepEqual(again!.results.map((r) => r.top1), result.results.map((r) => r.top1));
    assert.equal(statSync(join(out, 'pretrain', 'summary.json')).mtimeMs, mtime);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
