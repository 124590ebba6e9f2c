import type { RecordedEvent } from "../event.js";
import type { EventStream, SubscribeOptions, SubscriptionTarget } from "../event-stream.js";

/** True when `processed` is at or past `head` in the order of the subscription target. */
export function hasReached(byRevision: boolean, processed: RecordedEvent | undefined, head: RecordedEvent): boolean {
  if (!processed) return false;
  if (byRevision) return processed.revision >= head.revision;
  return processed.position.compareTo(head.position) >= 0;
}

/**
 * The newest event of a target right now, found the way every backend can: a short-lived
 * subscription from `from` (the projection's checkpoint, so only the unprocessed tail is read)
 * that is closed as soon as it has caught up. Undefined when nothing is newer than `from`.
 */
export async function probeHead(
  eventStream: EventStream,
  target: SubscriptionTarget,
  from: SubscribeOptions["from"],
  timeoutMs: number,
): Promise<RecordedEvent | undefined> {
  const subscription = eventStream.subscribe(target, { from });
  const drain = (async () => {
    for await (const _ of subscription) {
      // Only lastEvent matters; iterating is what moves the subscription forward.
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      subscription.caughtUp,
      drain.then(() => subscription.caughtUp),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(timeoutError(`The projection source did not catch up within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return subscription.lastEvent;
  } finally {
    clearTimeout(timer);
    await subscription.close();
    await drain.catch(() => undefined);
  }
}

/** A wait that ran out of time: a local condition, not a backend failure, so not in the error tree. */
export function timeoutError(message: string): Error {
  const error = new Error(message);
  error.name = "TimeoutError";
  return error;
}
