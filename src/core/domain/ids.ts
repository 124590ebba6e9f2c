import { createHash } from "node:crypto";

/**
 * A name-based UUID (RFC 9562 version 5 layout, SHA-1): the same inputs give the same id on every
 * run, which makes a retried append of "the events of command X" or "the dead letter of event Y"
 * idempotent on backends that de-duplicate by event id.
 */
export function deterministicUuid(namespace: string, name: string): string {
  const hash = createHash("sha1").update(namespace).update("\u0000").update(name).digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
