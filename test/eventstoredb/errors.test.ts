import {
  CancelledError,
  DeadlineExceededError,
  EventStoreDBClient,
  UnavailableError,
  jsonEvent,
} from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import {
  isAuthenticationError,
  isAuthorizationError,
  isConnectionError,
  isStreamDeletedError,
  isStreamNotFoundError,
  isValidationError,
  isWrongExpectedRevisionError,
  type ConnectionError,
  type WrongExpectedRevisionError,
} from "../../src/core/errors.js";
import type { EventStream } from "../../src/core/event-stream.js";
import { createEventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { translateError } from "../../src/adapters/eventstoredb/errors.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { collect, rejection, uniqueStream } from "./support.js";

const PASSWORD = "changeit-Zq9";

describe("EventStoreDB errors against the emulator", () => {
  let emulator: EventStoreEmulator;
  let store: EventStream;
  beforeAll(async () => {
    emulator = await startEventStoreEmulator();
    store = await connect(emulator.connectionString);
  });
  afterAll(async () => {
    await store.close();
    await emulator.close();
  });

  it("WrongExpectedVersion becomes WrongExpectedRevisionError with our expected and actual", async () => {
    const stream = uniqueStream();
    const missing = (await rejection(() => store.append(stream, [{ type: "a", data: 1 }], { expectedRevision: 3n }))) as WrongExpectedRevisionError;
    expect(isWrongExpectedRevisionError(missing)).toBe(true);
    expect([missing.stream, missing.expected, missing.actual]).toEqual([stream, 3n, "no_stream"]);
    expect(missing.cause).toBeDefined();
    await store.append(stream, [{ type: "a", data: 1 }, { type: "a", data: 2 }]);
    for (const expected of ["no_stream", 0n] as const) {
      const error = (await rejection(() => store.append(stream, [{ type: "b", data: 3 }], { expectedRevision: expected }))) as WrongExpectedRevisionError;
      expect([error.expected, error.actual]).toEqual([expected, 1n]);
    }
    const notExists = (await rejection(() =>
      store.append(uniqueStream(), [{ type: "b", data: 3 }], { expectedRevision: "stream_exists" }),
    )) as WrongExpectedRevisionError;
    expect([notExists.expected, notExists.actual]).toEqual(["stream_exists", "no_stream"]);
  });

  it("delete with stream_exists on a missing stream conflicts (the client cannot send it; the adapter checks)", async () => {
    const error = (await rejection(() => store.delete(uniqueStream(), { expectedRevision: "stream_exists" }))) as WrongExpectedRevisionError;
    expect([error.expected, error.actual]).toEqual(["stream_exists", "no_stream"]);
    const stream = uniqueStream();
    await store.append(stream, [{ type: "a", data: 1 }]);
    await store.delete(stream, { expectedRevision: "stream_exists" });
    await expect(collect(store.read(stream))).rejects.toSatisfy(isStreamNotFoundError);
  });

  it("not found and tombstoned streams map to StreamNotFoundError / StreamDeletedError", async () => {
    const stream = uniqueStream();
    await expect(collect(store.read(stream))).rejects.toSatisfy(isStreamNotFoundError);
    await store.append(stream, [{ type: "a", data: 1 }]);
    await store.tombstone(stream);
    await expect(collect(store.read(stream))).rejects.toSatisfy(isStreamDeletedError);
    const error = await rejection(() => store.append(stream, [{ type: "a", data: 1 }]));
    expect(isStreamDeletedError(error)).toBe(true);
    expect((error as { stream?: string }).stream).toBe(stream);
  });

  it("an append over 1 MiB is refused before sending; the server's MaxAppendSize refusal is a ValidationError too", async () => {
    const stream = uniqueStream();
    const big = new Uint8Array(1_048_577);
    const local = await rejection(() => store.append(stream, [{ type: "big", data: big }]));
    expect(isValidationError(local)).toBe(true);
    expect(local.cause).toBeUndefined(); // refused by prepareEvents, never sent
    // An adapter told the server accepts more gets the server's own refusal.
    const lenient = createEventStoreDBEventStream({
      config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false, maxAppendBytes: 4 * 1_048_576 },
    });
    const remote = await rejection(() => lenient.append(stream, [{ type: "big", data: big }]));
    await lenient.close();
    expect(isValidationError(remote)).toBe(true);
    expect(remote.message).toMatch(/maximum append size/);
    expect(remote.cause).toBeDefined();
    await expect(collect(store.read(stream))).rejects.toSatisfy(isStreamNotFoundError);
  });

  it("a server that is not there: ConnectionError, and an append that was never sent is not 'outcome unknown'", async () => {
    const probe = await startEventStoreEmulator();
    const port = probe.port;
    await probe.close();
    const nowhere = await connect(`esdb://127.0.0.1:${port}?tls=false`);
    const error = (await rejection(() => nowhere.append(uniqueStream(), [{ type: "a", data: 1 }]))) as ConnectionError;
    await nowhere.close();
    expect(isConnectionError(error)).toBe(true);
    expect(error.outcomeUnknown).toBe(false);
  });
});

describe("EventStoreDB errors without a server (driver errors translated)", () => {
  const serviceError = (code: number, details: string) =>
    Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { getMap: () => ({}) } });

  it("a deadline, a server-side cancel or an unavailable server during an append: ConnectionError, outcome unknown", () => {
    for (const driver of [
      new DeadlineExceededError(serviceError(4, "Deadline exceeded") as never),
      new CancelledError(serviceError(1, "Cancelled on server") as never),
      new UnavailableError(serviceError(14, "Connection dropped") as never),
    ]) {
      const error = translateError(driver, { operation: "append", stream: "s-1", expected: "any" }) as ConnectionError;
      expect(isConnectionError(error)).toBe(true);
      expect(error.outcomeUnknown).toBe(true);
      expect(error.cause).toBe(driver);
      expect(error.message).toMatch(/may or may not have been stored/);
      // The same failure on a read loses nothing.
      expect((translateError(driver, { operation: "read", stream: "s-1" }) as ConnectionError).outcomeUnknown).toBe(false);
    }
  });

  it("driver messages that echo a connection string have the password masked", () => {
    const driver = new Error(`failed to reach esdb://admin:${PASSWORD}@db:2113`);
    const error = translateError(driver, { operation: "read", stream: "s-1" });
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe("EventStoreDB authentication over TLS (emulator in TLS mode)", () => {
  let emulator: EventStoreEmulator;
  beforeAll(async () => {
    emulator = await startEventStoreEmulator({ tls: true, users: { admin: PASSWORD } });
  });
  afterAll(async () => {
    await emulator.close();
  });
  const url = (userInfo: string) =>
    `esdb://${userInfo}127.0.0.1:${emulator.port}?tls=true&tlsCAFile=${encodeURIComponent(emulator.caFile!)}`;

  it("good credentials work over TLS with the test CA", async () => {
    const store = await connect(url(`admin:${encodeURIComponent(PASSWORD)}@`));
    const stream = uniqueStream();
    await store.append(stream, [{ type: "a", data: 1 }]);
    expect((await collect(store.read(stream))).length).toBe(1);
    await store.close();
  });

  it("a wrong password is an AuthenticationError that never shows the password", async () => {
    const wrong = "not-the-password-71";
    const store = await connect(url(`admin:${wrong}@`));
    for (const action of [
      () => store.append(uniqueStream(), [{ type: "a", data: 1 }]),
      () => collect(store.read(uniqueStream())),
    ]) {
      const error = await rejection(action);
      expect(isAuthenticationError(error)).toBe(true);
      expect(error.message).not.toContain(wrong);
      expect(error.cause).toBeDefined();
    }
    // A subscription does not retry what retrying cannot fix: it ends with the typed error.
    const subscription = store.subscribe(uniqueStream(), { retry: { initialDelayMs: 10, maxDelayMs: 20 } });
    const ended = await rejection(async () => {
      for await (const event of subscription) void event;
    });
    expect(isAuthenticationError(ended)).toBe(true);
    await expect(subscription.caughtUp).rejects.toSatisfy(isAuthenticationError);
    await store.close();
  });

  it("no credentials where the server requires them is an AuthorizationError (access denied)", async () => {
    const store = await connect(url(""));
    const error = await rejection(() => store.append(uniqueStream(), [{ type: "a", data: 1 }]));
    expect(isAuthorizationError(error)).toBe(true);
    await store.close();
  });

  it("an injected client's own credentials are used", async () => {
    const client = EventStoreDBClient.connectionString(url(`admin:${encodeURIComponent(PASSWORD)}@`));
    const store = createEventStoreDBEventStream({ client, disposeClient: true });
    const stream = uniqueStream();
    await store.append(stream, [{ type: "a", data: 1 }]);
    await client.appendToStream(stream, jsonEvent({ type: "b", data: {} }));
    expect((await collect(store.read(stream))).map((e) => e.type)).toEqual(["a", "b"]);
    await store.close();
  });
});
