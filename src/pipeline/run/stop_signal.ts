// Graceful interruption: SIGINT/SIGTERM ask the running stage to finish its step, checkpoint and return; long
// evaluations and inference passes see the request through `signal` (an AbortSignal) between chunks and stop.
// A second signal exits at once (the last complete checkpoint stays intact: files are written atomically).
import { constants } from 'node:os';

/** Shell and torchrun convention for a process ended by a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: string): number {
  const n = (constants.signals as Record<string, number | undefined>)[signal];
  return n === undefined ? 1 : 128 + n;
}

/** True for the error a long phase throws when its AbortSignal fired (a DOMException or Error named AbortError). */
export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/** The signal the process received first while a StopSignal listened (the CLI's exit code), or null. */
let processSignal: string | null = null;

export function receivedSignal(): string | null {
  return processSignal;
}

export class StopSignal {
  #requested: string | null = null;
  #controller = new AbortController();
  #handlers: Array<[NodeJS.Signals, () => void]> = [];

  get requested(): string | null {
    return this.#requested;
  }

  /** Fires on the first request; its reason is an AbortError naming the request. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  request(reason: string): void {
    if (this.#requested) return;
    this.#requested = reason;
    this.#controller.abort(new DOMException(`stopped by ${reason}`, 'AbortError'));
  }

  /**
   * Listens for SIGINT and SIGTERM. The first one requests the stop and removes the listeners, so the second gets
   * the default action: the kernel ends the process at once, even inside a long native call, and the shell sees
   * 128 + the signal number as with any interrupted program.
   */
  static fromProcess(onFirst?: (signal: string) => void): StopSignal {
    const stop = new StopSignal();
    for (const signal of ['SIGINT', 'SIGTERM'] as NodeJS.Signals[]) {
      const handler = () => {
        stop.dispose();
        processSignal ??= signal;
        stop.request(signal);
        onFirst?.(signal);
      };
      process.on(signal, handler);
      stop.#handlers.push([signal, handler]);
    }
    return stop;
  }

  dispose(): void {
    for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    this.#handlers = [];
  }
}
