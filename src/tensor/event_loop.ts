// Cooperative yielding for long tensor loops: tensor finalizers and signal handlers run only when Node's event
// loop turns, so loops over many chunks (feature extraction, L-BFGS, probes) call this between chunks.

/** Lets the event loop turn, then throws `signal.reason` if the signal has fired. */
export async function yieldToEventLoop(signal?: AbortSignal): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  signal?.throwIfAborted();
}
