/**
 * Ensign's topic name hash: MurmurHash3 x64 128-bit, seed 0, over the UTF-8 name; the 16-byte
 * digest is h1 then h2, each big-endian; the text form is base64url without padding (22 chars).
 * `TopicNames` replies carry this hash instead of the name, and topic filters accept it.
 */
const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function fmix(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK;
  k ^= k >> 33n;
  return k;
}

function readLE(bytes: Uint8Array, start: number, end: number): bigint {
  let value = 0n;
  for (let i = Math.min(end, bytes.length) - 1; i >= start; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  return value;
}

function mixK1(k1: bigint): bigint {
  return (rotl((k1 * C1) & MASK, 31n) * C2) & MASK;
}

function mixK2(k2: bigint): bigint {
  return (rotl((k2 * C2) & MASK, 33n) * C1) & MASK;
}

/** MurmurHash3 x64 128 (seed 0) as 16 bytes: h1 big-endian then h2 big-endian. */
export function murmur3x64128(data: Uint8Array): Buffer {
  let h1 = 0n;
  let h2 = 0n;
  const blocks = Math.floor(data.length / 16);
  for (let b = 0; b < blocks; b++) {
    const k1 = readLE(data, b * 16, b * 16 + 8);
    const k2 = readLE(data, b * 16 + 8, b * 16 + 16);
    h1 ^= mixK1(k1);
    h1 = (rotl(h1, 27n) + h2) & MASK;
    h1 = (h1 * 5n + 0x52dce729n) & MASK;
    h2 ^= mixK2(k2);
    h2 = (rotl(h2, 31n) + h1) & MASK;
    h2 = (h2 * 5n + 0x38495ab5n) & MASK;
  }
  const tail = blocks * 16;
  const rest = data.length - tail;
  if (rest > 8) h2 ^= mixK2(readLE(data, tail + 8, data.length));
  if (rest > 0) h1 ^= mixK1(readLE(data, tail, tail + Math.min(rest, 8)));
  const length = BigInt(data.length);
  h1 ^= length;
  h2 ^= length;
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(h1, 0);
  out.writeBigUInt64BE(h2, 8);
  return out;
}

/** base64url_nopad(murmur3_x64_128(utf8(name))), as in TopicNames replies. */
export function topicNameHash(name: string): string {
  return murmur3x64128(Buffer.from(name, "utf8")).toString("base64url");
}
