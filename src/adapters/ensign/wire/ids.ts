/**
 * Identifier formats of the Ensign protocol.
 * - ULID (topics, projects): 16 bytes in `bytes` fields, 26-char upper-case Crockford base32 text
 *   in `string` fields.
 * - RLID (events): 10 bytes = 48-bit big-endian Unix ms + 32-bit big-endian sequence; text is 16
 *   chars of lower-case Crockford base32, 5 bits per char, most significant first.
 */
import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DECODE = new Map<string, number>();
for (let i = 0; i < CROCKFORD.length; i++) {
  DECODE.set(CROCKFORD.charAt(i), i);
  DECODE.set(CROCKFORD.charAt(i).toLowerCase(), i);
}

export const ULID_BYTES = 16;
export const RLID_BYTES = 10;

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function encodeBase32(bytes: Uint8Array, chars: number): string {
  let value = bytesToBigInt(bytes);
  let out = "";
  for (let i = 0; i < chars; i++) {
    out = CROCKFORD.charAt(Number(value & 31n)) + out;
    value >>= 5n;
  }
  return out;
}

/** 26-char ULID text from 16 bytes. */
export function ulidToString(bytes: Uint8Array): string {
  if (bytes.length !== ULID_BYTES) throw new RangeError(`a ULID has 16 bytes, got ${bytes.length}`);
  return encodeBase32(bytes, 26);
}

/** True when `text` is a 26-char Crockford base32 ULID (case-insensitive). */
export function isUlidString(text: string): boolean {
  if (text.length !== 26) return false;
  for (const char of text) if (!DECODE.has(char)) return false;
  return (DECODE.get(text.charAt(0)) ?? 8) <= 7;
}

/** 16 bytes from ULID text; throws RangeError when `text` is not a ULID. */
export function ulidFromString(text: string): Buffer {
  if (!isUlidString(text)) throw new RangeError("not a ULID string");
  let value = 0n;
  for (const char of text) value = (value << 5n) | BigInt(DECODE.get(char) ?? 0);
  const out = Buffer.alloc(ULID_BYTES);
  for (let i = ULID_BYTES - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

/** A fresh ULID (48-bit ms timestamp + 80 random bits) as 16 bytes. */
export function newUlid(now: number = Date.now()): Buffer {
  const out = Buffer.alloc(ULID_BYTES);
  out.writeUIntBE(now, 0, 6);
  randomBytes(10).copy(out, 6);
  return out;
}

/** An RLID as 10 bytes. */
export function makeRlid(ms: number, sequence: number): Buffer {
  const out = Buffer.alloc(RLID_BYTES);
  out.writeUIntBE(ms, 0, 6);
  out.writeUInt32BE(sequence >>> 0, 6);
  return out;
}

/** 16-char lower-case text of a 10-byte RLID. */
export function rlidToString(bytes: Uint8Array): string {
  if (bytes.length !== RLID_BYTES) throw new RangeError(`an RLID has 10 bytes, got ${bytes.length}`);
  return encodeBase32(bytes, 16).toLowerCase();
}
