import type { BenchEvent } from "./types.js";

/** mulberry32: a tiny seeded PRNG, so every child builds the same payloads from the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct events (~80 bytes of JSON each), identical for every subject given the same
 * seed. Built before the timed section, so building them is never measured.
 */
export function makeEvents(count: number, seed: number): BenchEvent[] {
  const random = seededRandom(seed);
  const events = new Array<BenchEvent>(count);
  for (let i = 0; i < count; i++) {
    const productId = `p-${Math.floor(random() * 1e8).toString(36).padStart(6, "0")}`;
    const quantity = 1 + Math.floor(random() * 10);
    const price = Math.round(random() * 100_000) / 100;
    events[i] = { type: "ProductItemAdded", data: { productId, quantity, price } };
  }
  return events;
}

/** Splits `events` into consecutive batches of `size`. */
export function batches<T>(events: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}
