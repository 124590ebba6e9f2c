/**
 * One command and one projection batch, traced through the OpenTelemetry SDK's in-memory exporter
 * with the async-hooks context manager, on memory and on our EventStoreDB server: the span tree
 * (parents and links), the attributes, and the trace context stored in the events' metadata.
 */
import { context, SpanKind, trace, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { createCommandHandler, createProjection, defineProjection } from "../../src/core/domain/index.js";
import type { EventStream } from "../../src/core/event-stream.js";
import { createTracing, type Tracing } from "../../src/core/observability/tracing.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { counter, counterEvents, readAllOf, uniqueCategory } from "../domain/fixtures.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
let tracing: Tracing;
let userTracer: Tracer;
let emulator: EventStoreEmulator | undefined;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  tracing = await createTracing({ tracerProvider: provider });
  userTracer = provider.getTracer("the-app");
});

afterAll(async () => {
  context.disable();
  await provider.shutdown();
  await emulator?.close();
});

const backends: { name: string; system: string; url: () => Promise<string> }[] = [
  { name: "memory", system: "memory", url: async () => "memory:" },
  {
    name: "eventstoredb (our server)",
    // `messaging.system` is the backend's name in capabilities and positions.
    system: "esdb",
    url: async () => (emulator ??= await startEventStoreEmulator()).connectionString,
  },
];

const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

for (const backend of backends) {
  describe(`tracing on ${backend.name}`, () => {
    let store: EventStream;
    beforeAll(async () => {
      store = await connect(await backend.url(), { tracing });
    });
    afterAll(async () => {
      await store.close();
    });

    it("a command's spans nest under the caller's (handle → attempt → load → read, decide, append) and its events carry the append span's context; a projection batch links to it", async () => {
      exporter.reset();
      const category = uniqueCategory("traced");
      const stream = `${category}-1`;
      const handler = createCommandHandler({ eventStream: store, decider: counter, events: counterEvents });

      await userTracer.startActiveSpan("http request", async (request) => {
        await handler.handle(stream, { type: "Add", by: 4242, times: 2 });
        request.end();
      });

      const spans = exporter.getFinishedSpans();
      const named = (name: string) => {
        const found = spans.filter((s) => s.name === name);
        expect(found, `spans named "${name}" among ${spans.map((s) => s.name).join(", ")}`).toHaveLength(1);
        return found[0]!;
      };
      const request = named("http request");
      const handle = named(`handle ${category}-{id}`);
      const attempt = named("attempt");
      const load = named(`load ${category}-{id}`);
      const read = named(`read ${category}-{id}`);
      const decide = named("decide");
      const append = named(`append ${category}-{id}`);

      // The tree.
      expect(parentOf(handle)).toBe(spanId(request));
      expect(parentOf(attempt)).toBe(spanId(handle));
      expect(parentOf(load)).toBe(spanId(attempt));
      expect(parentOf(read)).toBe(spanId(load));
      expect(parentOf(decide)).toBe(spanId(attempt));
      expect(parentOf(append)).toBe(spanId(attempt));
      for (const span of [handle, attempt, load, read, decide, append]) {
        expect(span.spanContext().traceId).toBe(request.spanContext().traceId);
        expect(span.instrumentationScope.name).toBe("switchyard-events");
      }

      // The attributes (messaging semantic conventions 1.27.0).
      expect(append.kind).toBe(SpanKind.PRODUCER);
      expect(append.attributes).toEqual({
        "messaging.system": backend.system,
        "messaging.operation.type": "send",
        "messaging.operation.name": "append",
        "messaging.destination.name": stream,
        "messaging.destination.template": `${category}-{id}`,
        "messaging.batch.message_count": 2,
      });
      expect(read.kind).toBe(SpanKind.CONSUMER);
      expect(read.attributes).toMatchObject({
        "messaging.system": backend.system,
        "messaging.operation.type": "receive",
        "messaging.operation.name": "read",
        "messaging.destination.name": stream,
        "messaging.batch.message_count": 0,
        // The first command meets no stream: an answer, not a failure.
        "switchyard.stream.exists": false,
      });
      expect(read.status.code).toBe(0);
      expect(handle.attributes).toMatchObject({
        "messaging.system": backend.system,
        "messaging.destination.name": stream,
        "switchyard.command.type": "Add",
        "switchyard.command.attempts": 1,
        "switchyard.command.conflicts": 0,
        "switchyard.command.duplicate": false,
      });
      expect(attempt.attributes).toEqual({ "switchyard.command.attempt": 1 });

      // The stored trace context: the append span's, in every event of the batch.
      const stored = await readAllOf(store, stream);
      expect(stored.map((e) => [e.metadata.$traceId, e.metadata.$spanId])).toEqual([
        [append.spanContext().traceId, spanId(append)],
        [append.spanContext().traceId, spanId(append)],
      ]);

      // One projection batch: both events, saved together, linked to the writer's span.
      exporter.reset();
      const seen: number[] = [];
      const projection = createProjection(
        defineProjection({
          name: `totals-${category}`,
          source: { category },
          events: counterEvents,
          handlers: {
            Added: async (event) => {
              // A span the handler makes is a child of the batch.
              await userTracer.startActiveSpan("update read model", async (span) => {
                seen.push(event.data.by);
                span.end();
              });
            },
          },
        }),
        { eventStream: store, checkpointEvery: 2 },
      );
      await projection.start();
      await projection.waitUntilCaughtUp(10_000);
      await projection.stop();
      expect(seen).toEqual([4242, 4242]);

      const after = exporter.getFinishedSpans();
      const batches = after.filter((s) => s.name === `process totals-${category}`);
      expect(batches).toHaveLength(1);
      const batch = batches[0]!;
      expect(batch.kind).toBe(SpanKind.CONSUMER);
      expect(parentOf(batch)).toBeUndefined();
      expect(batch.attributes).toEqual({
        "messaging.system": backend.system,
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.consumer.group.name": `totals-${category}`,
        "messaging.destination.name": category,
        "messaging.batch.message_count": 2,
      });
      const writer = { traceId: append.spanContext().traceId, spanId: spanId(append) };
      expect(batch.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }))).toEqual([writer, writer]);
      const updates = after.filter((s) => s.name === "update read model");
      expect(updates.map(parentOf)).toEqual([spanId(batch), spanId(batch)]);

      // Each delivery of the projection's subscription (and of waitUntilCaughtUp's probe, also a
      // subscription): a receive span linked to the writer.
      const deliveries = after.filter((s) => s.name === `receive ${category}`);
      expect(deliveries.length).toBeGreaterThanOrEqual(2);
      for (const delivery of deliveries) {
        expect(delivery.kind).toBe(SpanKind.CONSUMER);
        expect(delivery.attributes).toMatchObject({
          "messaging.system": backend.system,
          "messaging.operation.type": "receive",
          "messaging.destination.name": category,
          "switchyard.event.type": "Added",
        });
        expect(delivery.links.map((l) => l.context.spanId)).toEqual([writer.spanId]);
      }
      expect(new Set(deliveries.map((d) => d.attributes["messaging.message.id"]))).toEqual(new Set(stored.map((e) => e.id)));

      // No event data in any attribute.
      for (const span of [...spans, ...after]) expect(JSON.stringify(span.attributes)).not.toContain("4242");
    });

    it("a retried command has one attempt span per try, the conflict recorded on the one that lost", async () => {
      const stream = `${uniqueCategory("retried")}-1`;
      const handler = createCommandHandler({ eventStream: store, decider: counter, events: counterEvents });
      await handler.handle(stream, { type: "Add", by: 1 });
      exporter.reset();
      // A competing writer lands between this command's load and its append, once.
      let raced = false;
      const racing: EventStream = new Proxy(store, {
        get(target, property) {
          if (property === "append" && !raced) {
            raced = true;
            return async (...args: Parameters<EventStream["append"]>) => {
              await target.append(stream, [{ type: "Added", data: { by: 7 } }]);
              return target.append(...args);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const result = await createCommandHandler({ eventStream: racing, decider: counter, events: counterEvents }).handle(stream, { type: "Add", by: 2 });
      expect(result.conflicts).toBe(1);
      const spans = exporter.getFinishedSpans();
      const attempts = spans.filter((s) => s.name === "attempt").sort((a, b) => Number(a.attributes["switchyard.command.attempt"]) - Number(b.attributes["switchyard.command.attempt"]));
      expect(attempts.map((a) => [a.attributes["switchyard.command.attempt"], a.attributes["error.type"]])).toEqual([
        [1, "WRONG_EXPECTED_REVISION"],
        [2, undefined],
      ]);
      const handle = spans.find((s) => s.name.startsWith("handle "))!;
      expect(attempts.map(parentOf)).toEqual([spanId(handle), spanId(handle)]);
      expect(handle.attributes).toMatchObject({ "switchyard.command.attempts": 2, "switchyard.command.conflicts": 1 });
      // Each attempt appended (or tried to) under its own span; the failed append is marked. The
      // competing writer's append ran inside the first attempt too, and finished first.
      const appendsUnder = (attempt: ReadableSpan) =>
        spans.filter((s) => s.name.startsWith("append ") && parentOf(s) === spanId(attempt)).map((s) => s.attributes["error.type"]);
      expect(appendsUnder(attempts[0]!)).toEqual([undefined, "WRONG_EXPECTED_REVISION"]);
      expect(appendsUnder(attempts[1]!)).toEqual([undefined]);
    });
  });
}

describe("persistent subscriptions, traced", () => {
  it("each delivery is a receive span linked to the writer, with the group as consumer group", async () => {
    const store = await connect("memory:", { tracing });
    try {
      const stream = `${uniqueCategory("jobs")}-1`;
      exporter.reset();
      await store.append(stream, [{ type: "Job", data: {} }]);
      const append = exporter.getFinishedSpans().find((s) => s.name.startsWith("append "))!;
      await store.persistentSubscriptions.create({ stream }, "workers", { startFrom: "start" });
      exporter.reset();
      const consumer = store.persistentSubscriptions.connect({ stream }, "workers");
      for await (const delivery of consumer) {
        await delivery.ack();
        break;
      }
      await consumer.close();
      const [receive, ...others] = exporter.getFinishedSpans().filter((s) => s.name.startsWith("receive "));
      expect(others).toEqual([]);
      expect(receive!.kind).toBe(SpanKind.CONSUMER);
      expect(receive!.attributes).toMatchObject({
        "messaging.operation.type": "receive",
        "messaging.destination.name": stream,
        "messaging.consumer.group.name": "workers",
      });
      expect(receive!.links.map((l) => l.context.spanId)).toEqual([append.spanContext().spanId]);
    } finally {
      await store.close();
    }
  });
});

describe("tracing off", () => {
  it("a store without tracing stores no trace context and users cannot write the reserved keys", async () => {
    const store = await connect("memory:");
    try {
      await trace.getTracer("x").startActiveSpan("outer", async (span) => {
        await store.append("plain-1", [{ type: "T", data: {} }]);
        span.end();
      });
      const [event] = await readAllOf(store, "plain-1");
      expect(event!.metadata).toEqual({});
      await expect(store.append("plain-1", [{ type: "T", data: {}, metadata: { $traceId: "0af7651916cd43dd8448eb211c80319c" } }])).rejects.toMatchObject({
        code: "VALIDATION",
        field: "events[0].metadata.$traceId",
      });
    } finally {
      await store.close();
    }
  });
});
