import { AssertionError } from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { CapabilityName, Capabilities } from "../../core/capabilities.js";
import type { RecordedEvent } from "../../core/event.js";
import type { EventStream, Subscription } from "../../core/event-stream.js";
import type { Expect } from "../runner/expect.js";
import type { ResolvedRunner } from "../runner/test-runner.js";

/** What `runConformanceSuite` needs: a name, the backend's capabilities and a factory of fresh stores. */
export interface ConformanceOptions {
  /** Shown in the suite's name, e.g. "memory" or "eventstoredb (emulator)". */
  name: string;
  /** The adapter's capabilities, known before any case runs so cases can be skipped by them. */
  capabilities: Capabilities;
  /** A fresh, connected EventStream. The suite closes what it creates. */
  create: () => Promise<EventStream> | EventStream;
  /** Runs after the suite, e.g. to stop a server. */
  cleanup?: () => Promise<void> | void;
  /** Upper bound for waiting on subscription conditions (default 15 s). */
  waitTimeoutMs?: number;
}

export interface SuiteContext {
  readonly caps: Capabilities;
  readonly waitTimeoutMs: number;
  /** The EventStream shared by the cases of the suite. */
  store(): EventStream;
  /** A new EventStream for cases that close it; closed after the suite. */
  fresh(): Promise<EventStream>;
  /** Registers a case that runs only when the backend has every named capability. */
  test(name: string, needs: readonly CapabilityName[], fn: () => Promise<void>, timeoutMs?: number): void;
  /** The runner's `describe`, to group cases. */
  describe(name: string, body: () => void): void;
  /** The runner's `expect`, or one built on node:assert. */
  readonly expect: Expect;
}

export function makeTest(runner: ResolvedRunner, caps: Capabilities): SuiteContext["test"] {
  return (name, needs, fn, timeoutMs) => {
    const missing = needs.filter((need) => !caps[need]);
    if (missing.length > 0) {
      runner.skip(`${name} [skipped: ${caps.backend} lacks ${missing.join(", ")}]`, fn);
    } else {
      runner.it(name, fn, timeoutMs);
    }
  };
}

/** A category no other test (or run) uses: letters and digits only, valid on every backend. */
export function uniqueCategory(label = "c"): string {
  return `${label}${randomBytes(6).toString("hex")}`;
}

/** A stream in a fresh category: `<category>-<suffix>`. */
export function uniqueStream(label = "s", suffix = "1"): string {
  return `${uniqueCategory(label)}-${suffix}`;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export function revisionsOf(events: readonly RecordedEvent[]): bigint[] {
  return events.map((e) => e.revision);
}

/** Takes `count` events from a subscription, failing if they do not arrive in time. */
export async function take(subscription: Subscription, count: number, timeoutMs: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  if (count === 0) return events;
  const iterator = subscription[Symbol.asyncIterator]();
  return withTimeout(
    (async () => {
      while (events.length < count) {
        const result = await iterator.next();
        if (result.done) break;
        events.push(result.value);
      }
      return events;
    })(),
    timeoutMs,
    () => `expected ${count} events from the subscription, got ${events.length}`,
  );
}

export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms: ${what()}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that an operation fails with an error carrying `code`, and returns the error. */
export async function expectCode(operation: Promise<unknown> | (() => unknown), code: string): Promise<Error> {
  try {
    await (typeof operation === "function" ? operation() : operation);
  } catch (error) {
    const actual = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    if (actual === code) return error as Error;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new AssertionError({ message: `expected an error with code ${code}, got ${what} (code ${String(actual)})`, actual, expected: code, operator: "expectCode" });
  }
  throw new AssertionError({ message: `expected an error with code ${code}, but the operation succeeded`, expected: code, operator: "expectCode" });
}

/** The stream must not exist: nothing was written by a refused append. */
export async function expectNothingWritten(store: EventStream, stream: string): Promise<void> {
  await expectCode(collect(store.read(stream)), "STREAM_NOT_FOUND");
}

export function jsonEvent(type: string, data: unknown, extra: Record<string, unknown> = {}) {
  return { type, data, ...extra };
}
