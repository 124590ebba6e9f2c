import { ConnectionError, ValidationError } from "./errors.js";
import type { PingOptions } from "./event-stream.js";

export const DEFAULT_PING_TIMEOUT_MS = 5_000;

/**
 * Runs an adapter's reachability check under `options`: refuses a bad `timeoutMs`, stops at the
 * caller's abort (rejecting with the signal's reason), and after `timeoutMs` rejects with a
 * `ConnectionError` naming `backend`, even if the check ignores its signal: a silent server must
 * not make ping() hang. `check` gets a signal aborted on either, and the timeout in milliseconds.
 */
export async function pingWithin(
  backend: string,
  options: PingOptions,
  check: (signal: AbortSignal, timeoutMs: number) => Promise<void>,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ValidationError("timeoutMs must be a positive number of milliseconds", "timeoutMs");
  }
  options.signal?.throwIfAborted();
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new ConnectionError(`${backend} did not answer a ping within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const checked = (async () => check(signal, timeoutMs))();
  // Whichever loses the race must not surface as an unhandled rejection.
  checked.catch(() => undefined);
  stopped.catch(() => undefined);
  try {
    await Promise.race([checked, stopped]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort!);
  }
}
