// Conversions between protobuf messages of the generated client modules and the store's types.
import type { StreamIdentifier, UUID } from "@eventstore/db-client/generated/shared_pb";
import type { ReadResp } from "@eventstore/db-client/generated/streams_pb";
import { sharedPb, streamsPb } from "./proto.js";
import type { StoredEvent } from "./store.js";

export type UuidForm = "string" | "structured";

export function streamName(identifier: StreamIdentifier | undefined): string {
  if (identifier === undefined) return "";
  return Buffer.from(identifier.getStreamName_asU8()).toString("utf8");
}

export function streamIdentifier(name: string): StreamIdentifier {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(name, "utf8"));
  return identifier;
}

export function parseUuid(uuid: UUID | undefined): string {
  if (uuid === undefined) return "";
  if (uuid.hasString()) return uuid.getString().toLowerCase();
  const structured = uuid.getStructured();
  if (structured === undefined) return "";
  const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, "0");
  const all = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}-${all.slice(16, 20)}-${all.slice(20)}`;
}

export function uuidMessage(id: string, form: UuidForm): UUID {
  const uuid = new sharedPb.UUID();
  if (form === "string") return uuid.setString(id);
  const hex = id.replaceAll("-", "");
  const signed = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  const structured = new sharedPb.UUID.Structured();
  structured.setMostSignificantBits(signed(hex.slice(0, 16)));
  structured.setLeastSignificantBits(signed(hex.slice(16)));
  return uuid.setStructured(structured);
}

/** Streams.Read and PersistentSubscriptions.Read each have their own RecordedEvent class. */
export interface RecordedEventMessage {
  setId(value?: UUID): unknown;
  setStreamIdentifier(value?: StreamIdentifier): unknown;
  setStreamRevision(value: string): unknown;
  setCommitPosition(value: string): unknown;
  setPreparePosition(value: string): unknown;
  getMetadataMap(): { set(key: string, value: string): unknown };
  setData(value: Uint8Array): unknown;
  setCustomMetadata(value: Uint8Array): unknown;
}

export function recordedEvent(event: StoredEvent, form: UuidForm): ReadResp.ReadEvent.RecordedEvent {
  return fillRecordedEvent(new streamsPb.ReadResp.ReadEvent.RecordedEvent(), event, form);
}

export function fillRecordedEvent<T extends RecordedEventMessage>(recorded: T, event: StoredEvent, form: UuidForm): T {
  recorded.setId(uuidMessage(event.id, form));
  recorded.setStreamIdentifier(streamIdentifier(event.stream));
  recorded.setStreamRevision(event.revision.toString());
  recorded.setCommitPosition(event.position.toString());
  recorded.setPreparePosition(event.position.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set("type", event.type);
  metadata.set("content-type", event.contentType);
  metadata.set("created", event.created.toString());
  recorded.setData(event.data);
  recorded.setCustomMetadata(event.customMetadata);
  return recorded;
}

/** A ReadResp carrying one event; `link` is set when the event was reached through a `$>` link. */
export function eventResponse(
  event: StoredEvent,
  form: UuidForm,
  options: { link?: StoredEvent } = {},
): ReadResp {
  const read = new streamsPb.ReadResp.ReadEvent();
  read.setEvent(recordedEvent(event, form));
  if (options.link !== undefined) read.setLink(recordedEvent(options.link, form));
  const original = options.link ?? event;
  read.setCommitPosition(original.position.toString());
  return new streamsPb.ReadResp().setEvent(read);
}

/** Size of a proposed event as the server counts it against MaxAppendSize (Event.SizeOnDisk). */
export function sizeOnDisk(type: string, data: Uint8Array, customMetadata: Uint8Array): number {
  return data.length + customMetadata.length + type.length * 2;
}
