// `$>` link events ("<revision>@<stream>") and their resolution as the server's readers do it
// (StorageReaderWorker.ResolveLinkToEvent, PersistentSubscriptionService.ResolveLinkToEvent): a
// target that cannot be read (deleted, tombstoned, truncated, never written) leaves the link alone
// with no event; a payload whose revision is not a number is no link at all (the record itself).
import type { EventStore, StoredEvent } from "./store.js";

const LINK_TYPE = "$>";

export type LinkResolution =
  | { readonly kind: "event"; readonly event: StoredEvent }
  | { readonly kind: "resolved"; readonly event: StoredEvent; readonly link: StoredEvent }
  | { readonly kind: "failed"; readonly link: StoredEvent };

export function resolveLink(store: EventStore, record: StoredEvent): LinkResolution {
  if (record.type !== LINK_TYPE) return { kind: "event", event: record };
  const text = Buffer.from(record.data).toString("utf8");
  const at = text.indexOf("@");
  const number = at < 0 ? "" : text.slice(0, at).trim();
  if (!/^-?\d+$/.test(number)) return { kind: "event", event: record };
  const revision = BigInt(number);
  const stream = text.slice(at + 1);
  // A tombstoned stream answers StreamDeleted to every read, even of events written before.
  if (store.isTombstoned(stream)) return { kind: "failed", link: record };
  const target = store.readableEvents(stream)?.find((event) => event.revision === revision);
  return target === undefined ? { kind: "failed", link: record } : { kind: "resolved", event: target, link: record };
}
