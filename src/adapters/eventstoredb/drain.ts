import type { StreamingRead } from "@eventstore/db-client";
import { translateError, type OperationContext } from "./errors.js";

/**
 * Iterates a client read, translating its errors and cancelling the gRPC call when the caller
 * stops early or `signal` aborts. A read that has already delivered `expectedMax` items is about
 * to end on its own and is left to finish rather than cancelled: every cancel is an HTTP/2
 * RST_STREAM, and servers protect themselves from rapid resets by closing the whole connection.
 */
export async function* drain<T>(
  read: StreamingRead<T>,
  signal: AbortSignal | undefined,
  context: OperationContext,
  expectedMax?: bigint,
): AsyncGenerator<T> {
  signal?.throwIfAborted();
  const onAbort = () => void read.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  // Iterated by hand: leaving a for-await early would destroy the readable while its gRPC call
  // is still open, and the client's dispose() would then wait for that call forever.
  const iterator = read[Symbol.asyncIterator]();
  let finished = false;
  let count = 0n;
  try {
    for (;;) {
      const next = await iterator.next();
      signal?.throwIfAborted(); // an abort cancels the call, which then simply ends
      if (next.done) break;
      count++;
      yield next.value;
    }
    finished = true;
  } catch (error) {
    finished = true;
    signal?.throwIfAborted();
    throw translateError(error, context);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) {
      if (expectedMax !== undefined && count >= expectedMax && !signal?.aborted) {
        // Nothing but the end of the call is left to come; a failure now concerns nothing the
        // caller asked for, so it is not raised.
        while (!(await iterator.next().catch(() => ({ done: true }))).done);
      } else {
        await read.cancel();
        await iterator.return?.();
      }
    }
  }
}
