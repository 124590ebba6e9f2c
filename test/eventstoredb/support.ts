// Helpers shared by the EventStoreDB adapter tests.
import { randomBytes } from "node:crypto";
import type { RecordedEvent } from "../../src/core/event.js";

export const uniqueCategory = (label = "t"): string => `${label}${randomBytes(5).toString("hex")}`;
export const uniqueStream = (label = "t", suffix = "1"): string => `${uniqueCategory(label)}-${suffix}`;

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Waits until `condition` holds, polling; fails after `timeoutMs` saying what it waited for. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function rejection(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the action to fail");
}

/** Reads events from a subscription in the background into an array. */
export function drainInto(source: AsyncIterable<RecordedEvent>, into: RecordedEvent[]): Promise<unknown> {
  return (async () => {
    for await (const event of source) into.push(event);
  })().catch((error: unknown) => error);
}
