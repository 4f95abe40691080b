// SIGINT/SIGTERM for commands with no run to checkpoint (eval, embed, predict): the first signal aborts their long
// phases between batches (main then exits 130/143); a second one ends the process at once.
import { StopSignal } from '../pipeline/run/stop_signal.js';

let stop: StopSignal | null = null;

/** The AbortSignal the command passes to its long phases; listening starts on the first call (at the action's start). */
export function interruptSignal(): AbortSignal {
  stop ??= StopSignal.fromProcess((signal) => process.stderr.write(`\n${signal}: stopping after this batch (again to abort at once)\n`));
  return stop.signal;
}
