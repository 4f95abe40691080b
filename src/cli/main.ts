// The `simclr` command line: one subcommand per stage; errors print one clear line (no stack) and exit 1; a command
// stopped by SIGINT/SIGTERM exits 130/143 (128 + the signal number, as shells and torchrun expect).
import { Command, CommanderError } from 'commander';
import { isAbortError, receivedSignal, signalExitCode } from '../pipeline/run/stop_signal.js';
import { registerDistill } from './commands/distill.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExport } from './commands/export.js';
import { registerFinetune } from './commands/finetune.js';
import { registerLaunch } from './commands/launch.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerPredict } from './commands/predict.js';
import { registerPretrain } from './commands/pretrain.js';
import { registerShowAugment } from './commands/show_augment.js';
import { registerSummary } from './commands/summary.js';

export function buildProgram(): Command {
  const program = new Command('simclr')
    .description('SimCLRv2 semi-supervised learning on libtorch: pretrain, fine-tune, distill, evaluate')
    .showHelpAfterError()
    .enablePositionalOptions()
    .exitOverride();
  registerPretrain(program);
  registerFinetune(program);
  registerDistill(program);
  registerEvaluate(program);
  registerPredict(program);
  registerExport(program);
  registerPipeline(program);
  registerLaunch(program);
  registerSummary(program);
  registerShowAugment(program);
  registerDoctor(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    const signal = receivedSignal();
    // A stopped stage returns its summary (interrupted: true); commands such as launch set their own code.
    return signal ? signalExitCode(signal) : Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed help or the error
    const signal = receivedSignal();
    if (signal && isAbortError(err)) {
      process.stderr.write(`simclr: stopped by ${signal}\n`);
      return signalExitCode(signal);
    }
    process.stderr.write(`simclr: ${(err as Error).message}\n`);
    if (process.env.SIMCLR_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
