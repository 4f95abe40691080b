// Bad input across every command, run as a user would (child processes): each case must exit 1 within its timeout,
// name the culprit (flag, key, file, class or shape) in its message, print no stack trace, and leave no empty run
// folder behind. Issue 12 part 5(b).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { badInputCases, fixturePaths, makeFixtures, type BadInputCase } from './bad_input_cases.js';
import { runCliAll, type CliResult } from './run_cli.js';

const TIMEOUT_MS = 60_000; // a hang, not a slow start: a case takes 2-5 s on a quiet 2-core machine, up to ~16 s on a crowded one
const CONCURRENCY = 2;

const root = mkdtempSync(join(tmpdir(), 'simclr-bad-input-'));
after(() => rmSync(root, { recursive: true, force: true }));

const fixtures = fixturePaths(root);
const cases = badInputCases(fixtures, (name) => join(root, 'runs', name));

describe('bad input: exit 1, the culprit named, no stack trace, no hang', () => {
  let results: CliResult[] = [];

  before(async () => {
    await makeFixtures(fixtures);
    results = await runCliAll(cases.map((c) => c.args), CONCURRENCY, { timeoutMs: TIMEOUT_MS });
  });

  it('covers at least 60 cases over every command', () => {
    assert.ok(cases.length >= 60, `${cases.length} cases`);
    const commands = new Set(cases.map((c) => c.args[0]));
    for (const command of ['pretrain', 'finetune', 'distill', 'eval', 'predict', 'embed', 'pipeline', 'summary', 'show-augment', 'launch']) {
      assert.ok(commands.has(command), `no case for ${command}`);
    }
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
  });

  for (const [i, c] of cases.entries()) {
    it(c.name, () => {
      const r = results[i];
      assert.equal(check(c, r), null, `simclr ${r.args.join(' ')}\nstderr: ${r.stderr}`);
    });
  }
});
/** What is wrong with a case's result, or null. */
function check(c: BadInputCase, r: CliResult): string | null {
  if (r.timedOut) return `still running after ${TIMEOUT_MS} ms (killed)`;
  if (r.code !== (c.code ?? 1)) return `exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}, expected ${c.code ?? 1}`;
  if (!c.culprit.test(r.stderr)) return `stderr does not match ${c.culprit}`;
  if (/^\s{4}at /m.test(r.stderr)) return 'stack trace printed';
  if (/\.tmp\b/.test(r.stderr)) return 'names a hidden temporary file';
  if (c.absent && existsSync(c.absent)) return `${c.absent} was left behind`;
  return null;
}
