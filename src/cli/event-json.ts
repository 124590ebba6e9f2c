// Events as JSON Lines, the form `read` and `tail` print off a terminal and `append` reads back.
import type { RecordedEvent } from "../core/event.js";

/** One event as a JSON object: binary data as base64 in `dataBase64`, bigints as numbers where safe. */
export interface EventJson {
  readonly streamId: string;
  readonly revision: number | string;
  readonly position: string;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly schemaVersion: number;
  readonly createdAt: string;
  readonly metadata: unknown;
  readonly data?: unknown;
  readonly dataBase64?: string;
}

export function eventToJson(event: RecordedEvent): EventJson {
  const binary = event.data instanceof Uint8Array;
  return {
    streamId: event.streamId,
    revision: bigintToJson(event.revision),
    position: event.position.toString(),
    id: event.id,
    type: event.type,
    contentType: event.contentType,
    schemaVersion: event.schemaVersion,
    createdAt: event.createdAt.toISOString(),
    metadata: event.metadata,
    ...(binary ? { dataBase64: Buffer.from(event.data as Uint8Array).toString("base64") } : { data: event.data }),
  };
}

export function eventToJsonLine(event: RecordedEvent): string {
  return JSON.stringify(eventToJson(event));
}

export function bigintToJson(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** The data as one short line for a terminal. */
export function dataPreview(event: RecordedEvent, width: number): string {
  const text =
    event.data instanceof Uint8Array
      ? `<${event.data.byteLength} bytes>`
      : typeof event.data === "string"
        ? JSON.stringify(event.data)
        : JSON.stringify(event.data) ?? String(event.data);
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}
