// One stage of the pipeline, resumable: a folder with a finished summary.json is not redone, a started one resumes.
// Data parallel, every process decides from the folder as the previous stage left it, so all agree.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { World } from '../../distributed/world.js';
import type { EventSink } from '../run/events.js';
import { RESUMABLE_CHANGES } from '../config/stage_config.js';

export type Summary = Record<string, unknown> & { interrupted?: boolean };

/** Keys a finished stage may differ in from the plan without its figures changing. */
const IRRELEVANT = new Set(RESUMABLE_CHANGES);

/**
 * Runs `run` unless `dir` holds a finished summary (returned as is: its config.json must match `config`, so a changed
 * plan never reports an old run); null when the run was interrupted.
 */
export async function runStage<S extends Summary>(dir: string, config: object, run: (resume: boolean) => Promise<S>, emit: EventSink, world: World): Promise<S | null> {
  world.barrier();
  const decision = decide<S>(dir, emit);
  if (decision.done) checkSameConfig(dir, config);
  world.barrier();
  if (decision.done) return decision.done;
  const summary = await run(decision.resume);
  return summary.interrupted ? null : summary;
}

function checkSameConfig(dir: string, config: object): void {
  const path = join(dir, 'config.json');
  const saved = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(config)) {
    if (IRRELEVANT.has(key) || JSON.stringify(saved[key]) === JSON.stringify(value)) continue;
    throw new Error(`${dir} holds a finished run with ${key} ${JSON.stringify(saved[key])}, but the plan now gives ${JSON.stringify(value)}: ` +
      'remove that folder to redo the stage, or give another --out');
  }
}

function decide<S extends Summary>(dir: string, emit: EventSink): { done: S | null; resume: boolean } {
  const summaryPath = join(dir, 'summary.json');
  if (existsSync(summaryPath)) {
    const done = JSON.parse(readFileSync(summaryPath, 'utf8')) as S;
    if (!done.interrupted) {
      emit({ type: 'info', stage: 'pipeline', message: `${dir}: finished earlier, not redone` });
      return { done, resume: false };
    }
  }
  return { done: null, resume: existsSync(join(dir, 'config.json')) };
}
