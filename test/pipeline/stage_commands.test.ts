// A stage's reproducing command: parsed back by the CLI's own schema flags it resolves to the same configuration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { addSchemaFlags, schemaOverrides } from '../../src/cli/schema_flags.js';
import { distillSchema, resolveDistillConfig } from '../../src/pipeline/config/distill_config.js';
import { finetuneSchema, resolveFinetuneConfig } from '../../src/pipeline/config/finetune_config.js';
import { shellWord, stageCommand } from '../../src/pipeline/stages/stage_commands.js';

/** Splits a command line into words the way a POSIX shell does for plain and single-quoted words. */
function shellSplit(line: string): string[] {
  return [...line.matchAll(/(?:'((?:[^']|'\\'')*)'|(\S+))/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]));
}

function parseBack(line: string, shape: Record<string, never>): { out: string; overrides: Record<string, unknown> } {
  const words = shellSplit(line);
  const command = addSchemaFlags(new Command().exitOverride().requiredOption('--out <dir>'), shape);
  command.parse(words.slice(2), { from: 'user' });
  return { out: command.opts().out, overrides: schemaOverrides(command.opts(), shape) };
}

test('a fine-tuning command lists the non-default keys and resolves back to the same config', () => {
  const config = resolveFinetuneConfig({ overrides: {
    data: 'fashion-mnist', depth: 18, widthMultiplier: 0.25, stem: 'stride2', labels: "file:/tmp/it's here/labels.txt", labelSeed: 2,
    epochs: 209, batchSize: 64, optimizer: 'sgd', nesterov: true, learningRate: 0.1, lrScaling: 'none', weightDecay: 5e-4,
    augment: 'padCrop', padding: 4, globalBn: false, evalEvery: 0,
  } });
  const line = stageCommand('finetune', finetuneSchema.shape, config, '/runs/demo/supervised-1pct-s2');
  assert.match(line, /^simclr finetune --out \/runs\/demo\/supervised-1pct-s2 /);
  assert.match(line, / --nesterov /);
  assert.match(line, / --no-global-bn/);
  assert.match(line, / --weight-decay 0\.0005/);
  assert.doesNotMatch(line, /--momentum|--crop-min-area|--log-every/, 'defaults are left out');
  const { out, overrides } = parseBack(line, finetuneSchema.shape as never);
  assert.equal(out, '/runs/demo/supervised-1pct-s2');
  assert.deepEqual(resolveFinetuneConfig({ overrides }), config);
});

test('a distillation command resolves back too; words with spaces or quotes are quoted', () => {
  const config = resolveDistillConfig({ overrides: {
    data: 'fashion-mnist', teacher: 'runs/demo/finetune-10pct', studentFrom: 'runs/demo/pretrain', labels: 'file:runs/demo/finetune-10pct/labels.txt',
    epochs: 3, batchSize: 256, optimizer: 'sgd', learningRate: 0.1, lrScaling: 'none', weightDecay: 0, cropMinArea: 0.5,
  } });
  const { overrides } = parseBack(stageCommand('distill', distillSchema.shape, config, 'out dir'), distillSchema.shape as never);
  assert.deepEqual(resolveDistillConfig({ overrides }), config);
  assert.equal(shellWord('a b'), "'a b'");
  assert.equal(shellWord("it's"), "'it'\\''s'");
  assert.equal(shellWord('file:runs/x-1/labels.txt'), 'file:runs/x-1/labels.txt');
});
