// `simclr doctor`: what this machine gives the library (libtorch, CUDA, BLAS speed, threads, CPU features, Node,
// datasets), one line each with OK / WARN / FAIL and what to do. Exits 1 when a check fails.
import type { Command } from 'commander';
import type { Check } from '../doctor/checks.js';

function formatCheck(c: Check): string {
  const line = `${c.verdict.toUpperCase().padEnd(4)} ${c.name.padEnd(9)} ${c.detail}`;
  return c.advice ? `${line}\n     ${' '.repeat(9)} -> ${c.advice}` : line;
}

export function registerDoctor(program: Command): void {
  program.command('doctor')
    .description('check the libtorch build, CUDA, BLAS speed, threads, CPU features, Node and datasets')
    .option('--json', 'print one JSON array instead of the lines')
    .action(async (o: { json?: boolean }) => {
      const { runChecks } = await import('../doctor/checks.js'); // libtorch loads here, not at every command's start
      const checks = runChecks();
      process.stdout.write(o.json ? `${JSON.stringify(checks)}\n` : `${checks.map(formatCheck).join('\n')}\n`);
      if (checks.some((c) => c.verdict === 'fail')) process.exitCode = 1;
    });
}
