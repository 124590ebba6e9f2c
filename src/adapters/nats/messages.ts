import type { StoredMsg } from "@nats-io/jetstream";
import type { Store } from "./connection.js";
import { entryOf, type Entry, type StoredMessage } from "./event-mapping.js";

export function fromStoredMsg(m: StoredMsg): StoredMessage {
  return { subject: m.subject, seq: m.seq, headers: m.header, data: m.data, time: m.time };
}

/** The last message of a subject (its stream's newest event or marker), or undefined. */
export async function tailOf(store: Store, streamName: string, subject: string): Promise<Entry | undefined> {
  const message = await store.jsm.streams.getMessage(streamName, { last_by_subj: subject });
  return message ? entryOf(fromStoredMsg(message)) : undefined;
}

/** The message at a stream sequence, or undefined when it was deleted or purged. */
export async function entryAt(store: Store, streamName: string, seq: number): Promise<Entry | undefined> {
  if (seq <= 0) return undefined;
  const message = await store.jsm.streams.getMessage(streamName, { seq });
  return message ? entryOf(fromStoredMsg(message)) : undefined;
}

/** The entry before `entry` on its subject, following `Sy-Previous`. */
export function previousOf(store: Store, streamName: string, entry: Entry): Promise<Entry | undefined> {
  return entryAt(store, streamName, entry.previous);
}
