import { DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { Store } from "./connection.js";
import type { StoredMessage } from "./event-mapping.js";

/** Messages fetched per pull of a read. */
export const PAGE = 256;
/** How long a pull waits when the messages it expects were purged meanwhile. */
const PULL_EXPIRES_MS = 1_000;

export function fromJsMsg(m: JsMsg): StoredMessage {
  return { subject: m.subject, seq: m.seq, headers: m.headers, data: m.data, time: m.time };
}

/**
 * The messages of `filter` from stream sequence `from` through `until`, in order, through an
 * ordered consumer (ephemeral, flow-controlled, recreated by the client if the server loses it).
 * Ends at `until`, or after it (when `until` was purged meanwhile), or when a pull times out empty.
 */
export async function* scan(store: Store, streamName: string, filter: string, from: number, until: number): AsyncGenerator<StoredMessage> {
  if (until < from || until < 1) return;
  const consumer = await store.js.consumers.get(streamName, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, from),
  });
  try {
    for (;;) {
      const batch = await consumer.fetch({ max_messages: PAGE, expires: PULL_EXPIRES_MS });
      let received = 0;
      let done = false;
      for await (const m of batch) {
        received++;
        if (m.seq > until) {
          done = true;
          break;
        }
        yield fromJsMsg(m);
        // `until` only: a 2.9 server can report 0 pending early on a new consumer.
        if (m.seq >= until) {
          done = true;
          break;
        }
      }
      if (done || received === 0) return;
    }
  } finally {
    void consumer.delete().catch(() => undefined);
  }
}
