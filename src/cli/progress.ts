// Renders stage events: a progress bar (epoch, step, loss, images/s, ETA) on a terminal, or one log line per
// logged step in quiet mode / when output is not a TTY. Evaluations and checkpoints get their own lines.
import cliProgress from 'cli-progress';
import type { EventSink, StageEvent } from '../pipeline/run/events.js';

const fmt = (v: number | undefined, digits = 4) => (v === undefined ? '-' : Number(v.toPrecision(digits)).toString());

function stepLine(e: Extract<StageEvent, { type: 'step' }>): string {
  const v = e.values;
  const parts = Object.entries(v).filter(([k]) => k !== 'images_per_s').map(([k, x]) => `${k}=${fmt(x)}`);
  return `[${e.stage}] step ${e.step}/${e.totalSteps} epoch ${e.epoch} ${parts.join(' ')} images/s=${fmt(v.images_per_s, 3)}`;
}

/** An event sink writing to stderr; `quiet` forces plain log lines. */
export function consoleReporter(options: { quiet?: boolean } = {}): EventSink & { stop(): void } {
  const useBar = !options.quiet && process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  const log = (line: string) => (bar ? bar.stop() : undefined, process.stderr.write(`${line}\n`), bar?.start(bar.getTotal(), lastStep, lastPayload));
  let lastStep = 0;
  let lastPayload: Record<string, string> = {};
  const sink = (e: StageEvent) => {
    switch (e.type) {
      case 'start':
        process.stderr.write(`[${e.stage}] ${e.message}\n`);
        if (useBar) {
          bar = new cliProgress.SingleBar({
            format: `${e.stage} |{bar}| {value}/{total} steps | epoch {epoch} | loss {loss} | {ips} img/s | ETA {eta_formatted}`,
            stream: process.stderr, etaBuffer: 50, hideCursor: true,
          }, cliProgress.Presets.shades_classic);
          lastPayload = { epoch: '0', loss: '-', ips: '-' };
          bar.start(e.totalSteps, e.step, lastPayload);
        }
        break;
      case 'step':
        lastStep = e.step;
        if (bar) {
          lastPayload = { epoch: String(e.epoch), loss: fmt(e.values.loss), ips: fmt(e.values.images_per_s, 3) };
          bar.update(e.step, lastPayload);
        } else process.stderr.write(`${stepLine(e)}\n`);
        break;
      case 'eval':
        log(`[${e.stage}] eval at step ${e.step}: ${Object.entries(e.values).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`);
        break;
      case 'checkpoint':
        if (!bar) process.stderr.write(`[${e.stage}] checkpoint ${e.path}\n`);
        break;
      case 'info':
        log(`[${e.stage}] ${e.message}`);
        break;
      case 'end':
        bar?.stop();
        bar = null;
        break;
    }
  };
  return Object.assign(sink, { stop: () => bar?.stop() });
}
