#!/usr/bin/env node
// Launches the `simclr` command line. In a source checkout it runs the TypeScript directly through tsx
// (no stale build); an installed package without src/ runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
