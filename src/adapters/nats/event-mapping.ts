import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import type { CodecRegistry } from "../../core/codec.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import type { PreparedEvent } from "../../core/prepare.js";
import { toPosition } from "./positions.js";
import type { SubjectLayout } from "./subjects.js";

/**
 * One event is one JetStream message: its data is the payload, everything else travels in
 * headers. `Sy-Revision` is the event's 0-based revision in its stream; `Sy-Previous` the stream
 * sequence of the stream's message before it (0: none), which the append also sent as
 * `Nats-Expected-Last-Subject-Sequence`, so a stream can be read backwards message by message.
 */
export const H = {
  revision: "Sy-Revision",
  previous: "Sy-Previous",
  id: "Sy-Id",
  type: "Sy-Type",
  contentType: "Sy-Content-Type",
  schemaVersion: "Sy-Schema-Version",
  metadata: "Sy-Metadata",
  /** A message that is not an event: "deleted" (soft delete) or "tombstone". */
  marker: "Sy-Marker",
} as const;

export type Marker = "deleted" | "tombstone";

/** A message as read from the stream, whichever API read it. */
export interface StoredMessage {
  readonly subject: string;
  readonly seq: number;
  readonly headers: MsgHdrs | undefined;
  readonly data: Uint8Array;
  readonly time: Date;
}

/** What a message of one of our subjects is: an event, or a marker with the stream's last revision. */
export type Entry =
  | { readonly kind: "event"; readonly seq: number; readonly revision: bigint; readonly previous: number; readonly id: string; readonly message: StoredMessage }
  | { readonly kind: "marker"; readonly seq: number; readonly revision: bigint; readonly previous: number; readonly marker: Marker };

/** `Nats-Msg-Id`: the event id within its stream, so the same id in two streams is two events. */
export function messageId(subject: string, eventId: string): string {
  return `${eventId}@${subject}`;
}

export function eventHeaders(event: PreparedEvent, revision: bigint, previous: number): MsgHdrs {
  const h = natsHeaders();
  h.set(H.revision, revision.toString());
  h.set(H.previous, String(previous));
  h.set(H.id, event.id);
  h.set(H.type, encodeURIComponent(event.type));
  h.set(H.contentType, encodeURIComponent(event.contentType));
  if (event.schemaVersion !== 1) h.set(H.schemaVersion, String(event.schemaVersion));
  if (Object.keys(event.metadata).length > 0) h.set(H.metadata, asciiJson(event.metadata));
  return h;
}

export function markerHeaders(marker: Marker, revision: bigint, previous: number): MsgHdrs {
  const h = natsHeaders();
  h.set(H.revision, revision.toString());
  h.set(H.previous, String(previous));
  h.set(H.marker, marker);
  return h;
}

/** The bytes an event's headers add on the wire, for the size limit (a bound, not exact). */
export function headerBytes(subject: string, event: PreparedEvent): number {
  const fixed = 300; // header names, the NATS/1.0 line, revision, previous, id, schema version, expectations
  return fixed + 2 * subject.length + event.id.length + 3 * event.type.length + 3 * event.contentType.length + 6 * (event.size - event.data.length);
}

/** Reads our headers; undefined for a message someone else published into the stream. */
export function entryOf(message: StoredMessage): Entry | undefined {
  const h = message.headers;
  const revision = h?.get(H.revision);
  if (!h || !revision || !/^\d+$/.test(revision)) return undefined;
  const previous = Number(h.get(H.previous) || "0");
  const marker = h.get(H.marker);
  if (marker === "deleted" || marker === "tombstone") return { kind: "marker", seq: message.seq, revision: BigInt(revision), previous, marker };
  return { kind: "event", seq: message.seq, revision: BigInt(revision), previous, id: h.get(H.id), message };
}

export function toRecordedEvent(entry: Extract<Entry, { kind: "event" }>, layout: SubjectLayout, codecs: CodecRegistry): RecordedEvent {
  const { message } = entry;
  const h = message.headers!;
  const contentType = decodeURIComponent(h.get(H.contentType) || "application%2Fjson");
  const metadataText = h.get(H.metadata);
  let metadata: EventMetadata = {};
  if (metadataText) {
    try {
      metadata = JSON.parse(metadataText) as EventMetadata;
    } catch (error) {
      throw new SerializationError(`The metadata of message ${message.seq} is not JSON`, "application/json", { cause: error });
    }
  }
  return {
    streamId: layout.streamOf(message.subject) ?? message.subject,
    revision: entry.revision,
    position: toPosition(entry.seq),
    id: entry.id,
    type: decodeURIComponent(h.get(H.type)),
    data: codecs.get(contentType).decode(message.data),
    metadata,
    contentType,
    schemaVersion: Number(h.get(H.schemaVersion) || "1"),
    createdAt: message.time,
  };
}

/** JSON with every non-ASCII character escaped: a header value must be one line of plain bytes. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
