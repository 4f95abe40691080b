// Graceful interruption: SIGINT/SIGTERM ask the running stage to finish its step, checkpoint and return.
// A second signal exits at once (the last complete checkpoint stays intact: files are written atomically).

export class StopSignal {
  #requested: string | null = null;
  #handlers: Array<[NodeJS.Signals, () => void]> = [];

  get requested(): string | null {
    return this.#requested;
  }

  request(reason: string): void {
    this.#requested ??= reason;
  }

  /** Listens for SIGINT and SIGTERM until dispose(). */
  static fromProcess(onFirst?: (signal: string) => void): StopSignal {
    const stop = new StopSignal();
    for (const signal of ['SIGINT', 'SIGTERM'] as NodeJS.Signals[]) {
      const handler = () => {
        if (stop.requested) process.exit(130);
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
