// `simclr launch --nproc N [--threads-per-proc T] -- pretrain ...`: starts N local workers like torchrun
// (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), prefixes their output with the rank, and ends them
// all when one fails.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { launch } from '../../distributed/launch.js';
import { numberArg, positiveIntArg } from '../args.js';

/** This CLI's own entry point: every worker runs it with the command given after --. */
const cliScript = () => fileURLToPath(new URL('../../../bin/simclr.js', import.meta.url));

export function registerLaunch(program: Command): void {
  program.command('launch')
    .description('run a command data-parallel in N local processes (c10d / Gloo), e.g. launch --nproc 2 -- pretrain ...')
    .requiredOption('--nproc <n>', 'number of worker processes', positiveIntArg('--nproc', 1024))
    .option('--threads-per-proc <t>', 'intra-op threads of each worker', positiveIntArg('--threads-per-proc', 1024))
    .option('--port <port>', 'rendezvous port on 127.0.0.1 (default: a free one)', numberArg('--port', { int: true, min: 0, max: 65535 }))
    .argument('<command...>', 'the simclr command each worker runs, after --')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (command: string[], o) => {
      const result = await launch({ nproc: o.nproc, threadsPerProc: o.threadsPerProc, port: o.port, args: command, script: cliScript() });
      if (result.failedRank !== null) process.stderr.write(`simclr launch: rank ${result.failedRank} failed; all workers stopped\n`);
      process.exitCode = result.exitCode;
    });
}
