#!/usr/bin/env -S node --single-threaded-gc
// Launches the `simclr` command line. The shebang turns V8's concurrent GC threads off: they competed with libtorch's
// threads (+14% images/s in training on 2 cores); NODE_OPTIONS cannot carry this flag, the shebang can.
// In a source checkout it runs the TypeScript directly through tsx (no stale build); an installed package without
// src/ runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
