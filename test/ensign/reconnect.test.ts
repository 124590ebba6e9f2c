import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthClient, TopicsApi, TopicCache, createEnsignEventStream, type EnsignEventStream } from "../../src/adapters/ensign/index.js";
import { EnsignConnection } from "../../src/adapters/ensign/connection.js";
import { Subscriber } from "../../src/adapters/ensign/subscriber.js";
import { isConnectionError, isSwitchyardError } from "../../src/core/errors.js";
import type { RecordedEvent, ReconnectInfo } from "../../src/index.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { emulator, eventually, uniqueTopic } from "./helpers.js";

describe("Ensign subscription reconnects", () => {
  let server: EnsignServer;
  let store: EnsignEventStream;
  beforeAll(async () => {
    server = await emulator();
    store = createEnsignEventStream({
      endpoint: server.endpoint,
      insecure: true,
      authUrl: server.authUrl,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 100 },
      pollIntervalMs: 60_000, // live delivery must come from wake-ups, not polling
    });
  });
  afterAll(async () => {
    await store.close();
    await server.close();
  });

  it("are reported one by one with their typed error while the server is down; the subscription resumes after a restart", async () => {
    const stream = `reconnect${process.pid}-1`;
    await store.append(stream, [0, 1].map((i) => ({ type: "n", data: { i } })));
    const attempts: ReconnectInfo[] = [];
    const subscription = store.subscribe(stream, {
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      onReconnect: (info) => attempts.push(info),
    });
    const seen: RecordedEvent[] = [];
    const done = (async () => {
      for await (const event of subscription) seen.push(event);
    })();
    await subscription.caughtUp;
    await eventually(() => seen.length === 2, "the history");
    expect(subscription.reconnecting).toBeUndefined();

    await server.stop();
    try {
      await eventually(() => attempts.length >= 3, "three reconnect attempts while the server is down");
      expect(attempts.slice(0, 3).map((a) => a.attempt)).toEqual([1, 2, 3]);
      for (const { error, delayMs } of attempts) {
        expect(isSwitchyardError(error) && isConnectionError(error)).toBe(true);
        expect(delayMs).toBeGreaterThan(0);
        expect(delayMs).toBeLessThanOrEqual(100);
      }
      expect(subscription.reconnecting).toBeDefined();
    } finally {
      await server.start();
    }

    // The client's channel reconnects after its own backoff; the append's publish stream waits for it.
    await store.append(stream, [{ type: "n", data: { i: 2 } }]);
    await eventually(() => seen.length === 3, "the event written after the restart");
    expect(seen.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    expect(subscription.reconnecting).toBeUndefined();
    await subscription.close();
    await done;
  });
});

describe("Ensign Subscribe stream without a reconnect policy", () => {
  // One clock for the server and the client, so an expired token is tested without waiting.
  let serverNow = Date.now();
  let timed: EnsignServer;
  beforeAll(async () => {
    timed = await emulator({ accessTtlSeconds: 100, refreshTtlSeconds: 200, refreshOverlapSeconds: 10, now: () => serverNow });
  });
  afterAll(async () => {
    await timed.close();
  });

  it("renews a token the server refuses and reopens once, as unary calls do", async () => {
    const clientNow = serverNow;
    const credentials = { clientId: timed.clientId, clientSecret: timed.clientSecret };
    const auth = new AuthClient({ authUrl: timed.authUrl, credentials, now: () => clientNow });
    const connection = new EnsignConnection({ endpoint: timed.endpoint, insecure: true, auth });
    const topic = uniqueTopic("renew");
    await new TopicsApi(connection, new TopicCache()).ensure(topic);
    serverNow += 250_000; // the server now sees both tokens as expired; the client does not know
    const subscriber = new Subscriber(connection, {
      topics: [topic],
      clientId: "renew-test",
      reconnect: { maxAttempts: 0, initialDelayMs: 0, maxDelayMs: 0 },
    });
    try {
      await subscriber.ready;
      expect(auth.counts.authenticate).toBe(2);
    } finally {
      await subscriber.close();
      connection.close();
    }
  });
});
