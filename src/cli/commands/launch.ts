// `simclr launch --nproc N [--threads-per-proc T] -- pretrain ...`: starts N local workers like torchrun
// (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), prefixes their output with the rank, and ends them
// all when one fails.
import type { Command } from 'commander';
import { launch } from '../../distributed/launch.js';
import { numberArg } from '../args.js';

export function registerLaunch(program: Command): void {
  program.command('launch')
    .description('run a command data-parallel in N local processes (c10d / Gloo), e.g. launch --nproc 2 -- pretrain ...')
    .requiredOption('--nproc <n>', 'number of worker processes', numberArg('--nproc'))
    .option('--threads-per-proc <t>', 'intra-op threads of each worker', numberArg('--threads-per-proc'))
    .option('--port <port>', 'rendezvous port on 127.0.0.1 (default: a free one)', numberArg('--port'))
    .argument('<command...>', 'the simclr command each worker runs, after --')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (command: string[], o) => {
      if (!Number.isInteger(o.nproc) || o.nproc < 1) throw new Error(`--nproc must be a positive integer, got ${o.nproc}`);
      const result = await launch({ nproc: o.nproc, threadsPerProc: o.threadsPerProc, port: o.port, args: command });
      if (result.failedRank !== null) process.stderr.write(`simclr launch: rank ${result.failedRank} failed; all workers stopped\n`);
      process.exitCode = result.exitCode;
    });
}
