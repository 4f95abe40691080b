// Progress lines for inference commands (embed, predict): the image count when the model starts, then at most one
// line every few seconds, so a long pass over a folder shows it is alive without flooding a log.
import { performance } from 'node:perf_hooks';

/** An onProgress callback writing `[label] done/total images` to stderr: at the start, at the end, and every `everyMs`. */
export function batchProgress(label: string, everyMs = 5000): (done: number, total: number) => void {
  let last = -Infinity;
  return (done, total) => {
    const now = performance.now();
    if (done !== 0 && done !== total && now - last < everyMs) return;
    last = now;
    process.stderr.write(`[${label}] ${done}/${total} images\n`);
  };
}
