/**
 * Loads the Ensign protocol and encodes/decodes its messages.
 *
 * Loading choice: protobufjs runtime reflection over a committed JSON descriptor
 * (./descriptor.ts, generated from proto/ by scripts/gen-ensign-descriptor.ts).
 * - The .proto files stay the single source of truth; a test regenerates the descriptor and fails
 *   when it is stale.
 * - Nothing is read from disk at runtime, so dist ESM, dist CJS and the tests load identically
 *   (no path resolution relative to the bundle, no `proto/` lookup).
 * - No generated static code (pbjs/pbts): that would be thousands of lines of generated JS to
 *   review and keep in sync, and protobufjs's reflection codecs are themselves generated at load.
 * - Types are hand-written in ./messages.ts for the messages the adapter uses.
 */
import protobuf from "protobufjs";
import { ENSIGN_DESCRIPTOR } from "./descriptor.js";
import type { Event, EventWrapper, Timestamp, WireInput } from "./messages.js";

let cachedRoot: protobuf.Root | undefined;

/** The protobufjs Root holding every Ensign type (built once, lazily). */
export function ensignRoot(): protobuf.Root {
  cachedRoot ??= protobuf.Root.fromJSON(ENSIGN_DESCRIPTOR);
  return cachedRoot;
}

/**
 * toObject options used for every decode: proto3 defaults filled in, oneof member name exposed,
 * 64-bit integers as exact decimal strings, enums as numbers, bytes left as Buffer (Uint8Array).
 */
export const DECODE_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

const typeCache = new Map<string, protobuf.Type>();

/** Looks up a message type by full name, e.g. "ensign.v1beta1.EventWrapper". */
export function messageType(fullName: string): protobuf.Type {
  let type = typeCache.get(fullName);
  if (!type) {
    type = ensignRoot().lookupType(fullName);
    typeCache.set(fullName, type);
  }
  return type;
}

/** Encodes a plain object as the named message. Throws a TypeError on a malformed field. */
export function encodeMessage<T>(fullName: string, value: WireInput<T>): Buffer {
  const type = messageType(fullName);
  const bytes = type.encode(type.fromObject(value as Record<string, unknown>)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes bytes as the named message into the plain shape described in ./messages.ts. */
export function decodeMessage<T>(fullName: string, bytes: Uint8Array): T {
  const type = messageType(fullName);
  return type.toObject(type.decode(bytes), DECODE_OPTIONS) as T;
}

/** Serializes an Event for EventWrapper.event. */
export function encodeEvent(event: WireInput<Event>): Buffer {
  return encodeMessage<Event>("ensign.v1beta1.Event", event);
}

/** Parses EventWrapper.event. Throws (protobufjs RangeError/Error) on malformed bytes. */
export function decodeEvent(bytes: Uint8Array): Event {
  return decodeMessage<Event>("ensign.v1beta1.Event", bytes);
}

/** Encodes an EventWrapper (used by the emulator to size and store events). */
export function encodeEventWrapper(wrapper: WireInput<EventWrapper>): Buffer {
  return encodeMessage<EventWrapper>("ensign.v1beta1.EventWrapper", wrapper);
}

export function decodeEventWrapper(bytes: Uint8Array): EventWrapper {
  return decodeMessage<EventWrapper>("ensign.v1beta1.EventWrapper", bytes);
}

/** google.protobuf.Timestamp from a Date (millisecond precision). */
export function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Date from a google.protobuf.Timestamp (sub-millisecond part truncated). */
export function fromTimestamp(ts: WireInput<Timestamp>): Date {
  const seconds = Number(ts.seconds ?? 0);
  const nanos = Number(ts.nanos ?? 0);
  return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000));
}

/** The MIME enum as name → number (every alias included), read from the descriptor. */
export function mimeEnumValues(): Readonly<Record<string, number>> {
  return ensignRoot().lookupEnum("mimetype.v1beta1.MIME").values;
}

/** The Region enum as name → number, read from the descriptor. */
export function regionEnumValues(): Readonly<Record<string, number>> {
  return ensignRoot().lookupEnum("region.v1beta1.Region").values;
}
