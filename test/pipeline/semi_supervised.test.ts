// The whole pipeline on tiny settings over two label subsets: one shared pretraining, every other stage per subset,
// floors and the converged-recipe baseline in the table, mean ± std cells, a command beside every run, the test split
// scored once per run, a second round of self-distillation at 1%, plots and pictures (the confusion matrix's model
// named by its fixed rule), no redo on rerun (pictures off), and a changed plan refused on a finished stage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { pipelinePresets } from '../../src/pipeline/config/pipeline_presets.js';
import { METHODS, runPipeline, stageDirName } from '../../src/pipeline/stages/semi_supervised.js';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const indices = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => /^\d+$/.test(l));
const metrics = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('tiny pipeline over label seeds 0 and 1: shared pretraining, per-subset stages, honest report, no redo on rerun', async () => {
  const out = mkdtempSync(join(tmpdir(), 'simclr-pipeline-'));
  try {
    const result = await runPipeline({ out, plan: pipelinePresets.tiny, labelSeeds: [0, 1], preset: 'tiny' });
    assert.ok(result);
    assert.equal(result.results.length, 2 * 2 * 6 + 2, '2 fractions x 2 subsets x 6 rows, and a second round of self-distillation at 1%');
    for (const fraction of ['1%', '10%']) {
      const shas: string[] = [];
      for (const seed of [0, 1]) {
        const dir = (kind: string) => join(out, stageDirName(kind, fraction, seed));
        assert.equal(stageDirName('finetune', fraction, seed), `finetune-${fraction.replace('%', 'pct')}${seed ? '-s1' : ''}`);
        const ft = json(join(dir('finetune'), 'summary.json'));
        const sup = json(join(dir('supervised'), 'summary.json'));
        assert.equal(ft.from, join(out, 'pretrain'), 'every subset fine-tunes the one pretraining');
        assert.equal(sup.labels_sha256, ft.labels_sha256, 'baseline and SimCLR share the labelled subset');
        assert.deepEqual(indices(sup.labels_file), indices(ft.labels_file));
        shas.push(ft.labels_sha256);
        // The baseline runs its own recipe, not the fine-tuning budget.
        const supConfig = json(join(dir('supervised'), 'config.json'));
        assert.deepEqual([sup.steps, ft.steps, supConfig.augment, supConfig.nesterov, supConfig.labelSeed], [5, 4, 'padCrop', true, seed]);
        const floors = json(join(dir('floors'), 'summary.json'));
        assert.ok(floors.logistic.top1 > 0 && floors.knn.top1 > 0);
        for (const kind of ['finetune', 'supervised', 'distill-self', 'distill-small']) {
          const tested = metrics(dir(kind)).filter((r) => 'test_top1' in r).map((r) => r.step);
          assert.deepEqual(tested, [json(join(dir(kind), 'summary.json')).steps], `${kind}: the test split is scored once, at the last step`);
        }
        assert.equal(json(join(dir('distill-small'), 'summary.json')).steps, 6, 'smallDistill overrides distill for the small student');
        // The plan repeats self-distillation at 1% only: round 2 learns from round 1's student, again from the pretraining.
        const round2 = join(out, stageDirName('distill-self-r2', fraction, seed));
        assert.equal(existsSync(round2), fraction === '1%', `${fraction}: a second round only where the plan asks`);
        if (fraction === '1%') {
          const config = json(join(round2, 'config.json'));
          assert.deepEqual([config.teacher, config.studentFrom], [dir('distill-self'), join(out, 'pretrain')]);
          assert.equal(config.labels, `file:${ft.labels_file}`, 'the same labelled subset');
          assert.deepEqual(metrics(round2).filter((r) => 'test_top1' in r).length, 1, 'round 2 scores the test split once');
        }
      }
      assert.notEqual(shas[0], shas[1], 'label seeds 0 and 1 draw different subsets');
    }
    const md = readFileSync(result.report.markdown, 'utf8');
    const results = md.slice(md.indexOf('## Results'), md.indexOf('## Protocol'));
    const methods = [METHODS.logistic, METHODS.knn, METHODS.supervised, METHODS.finetune, METHODS.self, METHODS.small(0.5)];
    for (const method of methods) {
      const line = results.split('\n').find((l) => l.startsWith(`| ${method} |`));
      assert.ok(line, `results row for ${method}`);
      assert.match(line, /^\| [^|]+ \| \d+\.\d ± \d+\.\d \(\d+\.\d, \d+\.\d\) \| \d+\.\d ± \d+\.\d \(\d+\.\d, \d+\.\d\) \| \d+ \/ \d+ \|$/);
    }
    const round2Line = results.split('\n').find((l) => l.startsWith(`| ${METHODS.selfRound(2)} |`));
    assert.match(round2Line ?? '', /^\| Distilled, self, round 2 \(teacher: round 1\) \| \d+\.\d ± \d+\.\d \(\d+\.\d, \d+\.\d\) \| — \| \d+ \/ — \|$/);
    assert.ok(results.indexOf(METHODS.self) < results.indexOf(METHODS.selfRound(2)) && results.indexOf(METHODS.selfRound(2)) < results.indexOf(METHODS.small(0.5)));
    assert.match(md, /Fine-tuning at 1%: .*; distillation: .*, 2 rounds of it \(each round after the first taught by the previous round's student, again from the pretrained encoder\) \(small student: /);
    assert.doesNotMatch(md.split('\n').find((l) => l.includes('Fine-tuning at 10%:'))!, /rounds of it/);
    // The label-efficiency section: the best SimCLRv2 row against the baseline at each fraction; the tiny plan has no goals.
    const verdict = md.slice(md.indexOf('## Label efficiency'), md.indexOf('## Protocol'));
    for (const fraction of ['1%', '10%']) {
      const rows = fraction === '1%' ? 4 : 3;
      assert.match(verdict, new RegExp(`- ${fraction} labels, against the supervised baseline's \\d+\\.\\d\\d: the ${rows} SimCLRv2 rows from [+−]\\d+\\.\\d\\d \\("[^"]+" \\d+\\.\\d\\d\\) to [+−]`));
    }
    assert.doesNotMatch(verdict, /met/);
    assert.match(md, /Every test figure is computed once, at the end of its run, on the 200 test images/);
    assert.match(md, /Arithmetic \(--precision\): pretraining fp32; fine-tuning, baselines and distillation fp32\./);
    const runs = md.slice(md.indexOf('## Runs'), md.indexOf('## Curves'));
    assert.equal(runs.split('\n').filter((l) => l.includes('`simclr finetune --out ')).length, 2 * 2 * 2, 'a command per fine-tuning and baseline run');
    assert.equal(runs.split('\n').filter((l) => l.includes('`simclr distill --out ')).length, 2 * 2 * 2 + 2);
    assert.match(runs, /\| Distilled, self, round 2 \(teacher: round 1\) \| 1% \| 1 \| [\d.]+ \| \d+ \| `simclr distill --out \S+distill-self-r2-1pct-s1 --teacher \S+distill-self-1pct-s1 /);
    assert.match(runs, /\| Pretraining \(shared by every row\) \| — \| — \| [\d.—]+ \(kNN\) \| \d+ \| `simclr pretrain --out /);
    assert.match(runs, /`simclr pipeline --out \S+ --preset tiny --label-seeds 0,1`/);
    assert.match(readFileSync(result.report.html, 'utf8'), /<table>[\s\S]*SimCLRv2 fine-tuned[\s\S]*<\/table>/);
    assert.ok(result.report.plots.length >= 3);
    for (const png of result.report.plots) {
      const meta = await sharp(png).metadata();
      assert.equal(meta.format, 'png');
      assert.ok((meta.width ?? 0) > 200 && (meta.height ?? 0) > 100);
    }
    // Pictures: every one linked from the report, each a PNG that decodes; the confusion matrix shows the model its fixed rule
    // names, and its top-1 is that run's table figure (same checkpoint, same test images).
    assert.deepEqual(result.report.pictures.map((p) => p.slice(out.length + 1)), ['retrieval-encoder', 'retrieval-pixels', 'embedding-map', 'label-efficiency', 'confusion-matrix'].map((f) => `pictures/${f}.png`));
    const pictures = md.slice(md.indexOf('## Pictures'), md.indexOf('## Configuration'));
    for (const png of result.report.pictures) {
      assert.ok(pictures.includes(`](${png.slice(out.length + 1)})`), `${png} is linked`);
      const meta = await sharp(png).metadata();
      assert.ok(meta.format === 'png' && meta.width! > 200 && meta.height! > 200, `${png}: ${meta.width}x${meta.height}`);
    }
    assert.doesNotMatch(md, /Not drawn/);
    const chosen = result.results.find((r) => r.method === METHODS.self && r.fraction === '10%' && r.labelSeed === 0)!;
    assert.match(pictures, new RegExp(`\\*\\*Figure 5\\.\\*\\* Distilled, self \\(same size\\), 10% labels, label seed 0: counts of the 200 test images .* ` +
      `Top-1 ${(100 * chosen.top1!).toFixed(1)}%\\. Model fixed by a rule set before any test figure \\(not chosen by test accuracy\\): ` +
      'the self-distilled student at the largest label fraction \\(10%\\), first label subset \\(seed 0\\)'));
    // A rerun finds every stage finished and only rewrites the report (here without pictures); a changed plan is refused.
    const mtime = statSync(join(out, 'pretrain', 'summary.json')).mtimeMs;
    const goals = { bestTop1: { '1%': 0.001, '10%': 1 }, smallStudentGap: 0.99, totalMinutes: 1e-6 };
    const again = await runPipeline({ out, plan: { ...pipelinePresets.tiny, pictures: false, goals }, labelSeeds: [0, 1], preset: 'tiny' });
    assert.deepEqual(again!.results.map((r) => r.top1), result.results.map((r) => r.top1));
    assert.equal(statSync(join(out, 'pretrain', 'summary.json')).mtimeMs, mtime);
    assert.deepEqual(again!.report.pictures, []);
    const againMd = readFileSync(again!.report.markdown, 'utf8');
    assert.doesNotMatch(againMd, /## Pictures/);
    // The plan's goals, each met or not beside its figures, from the same finished stages.
    assert.match(againMd, /- Best SimCLRv2 row at 1% >= 0\.10: met \(\d+\.\d\d, "[^"]+"; \+\d+\.\d\d; the highest of 4 rows' means/);
    assert.match(againMd, /- Best SimCLRv2 row at 10% >= 100\.00: \*\*NOT met\*\* \(\d+\.\d\d, "[^"]+"; −\d+\.\d\d; the highest of 3 rows' means/);
    assert.match(againMd, /- Smaller student within 99\.00 points of its teacher \(the fine-tuned model\) at every fraction: met \(1%: [\d.]+ vs [\d.]+, [+−][\d.]+; 10%: /);
    assert.match(againMd, /- Whole pipeline within 0\.000001 minutes: \*\*NOT met\*\* \(\d+\.\d minutes on this machine\)\./);
    await assert.rejects(runPipeline({ out: join(out, 'never'), plan: { ...pipelinePresets.tiny, goals: { bestTop1: { '5%': 0.9 } } } }), /goals\.bestTop1\['5%'\]: the plan has no fraction 5% \(it has 1%, 10%\)/);
    assert.equal(existsSync(join(out, 'never')), false, 'a goal the report cannot check fails before any training');
    const changed = { ...pipelinePresets.tiny, supervised: { ...pipelinePresets.tiny.supervised, steps: 7 } };
    await assert.rejects(runPipeline({ out, plan: changed, labelSeeds: [0] }), /supervised-1pct holds a finished run with steps 5, but the plan now gives 7/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
