// Shared helpers of the emulator's own tests (driven through the official client only).
import { randomUUID } from "node:crypto";
import type { EventStoreDBClient, ResolvedEvent } from "@eventstore/db-client";

export const uniqueStream = (prefix = "emu"): string => `${prefix}-${randomUUID()}`;

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Reads a stream and returns the revisions, or the error thrown while reading. */
export async function revisionsOf(client: EventStoreDBClient, stream: string): Promise<bigint[]> {
  const events = await collect<ResolvedEvent>(client.readStream(stream));
  return events.map((resolved) => resolved.event!.revision);
}

export async function thrown(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to throw");
}

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
