/**
 * The writer's trace context, stored under the reserved metadata keys on append, comes back from
 * every backend, next to the user's own metadata, on reads and on subscriptions; an event without
 * one (written untraced) gives a delivery span without a link.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import type { EventStream } from "../../src/core/event-stream.js";
import { createTracing, type Tracing } from "../../src/core/observability/tracing.js";
import { availableBackends } from "../domain/backends.js";
import { readAllOf, uniqueCategory } from "../domain/fixtures.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let tracing: Tracing;

beforeAll(async () => {
  tracing = await createTracing({ tracerProvider: provider });
});
afterAll(() => provider.shutdown());

for (const backend of availableBackends()) {
  describe(`trace context in metadata on ${backend.name}`, () => {
    let traced: EventStream;
    let plain: EventStream;
    beforeAll(async () => {
      const url = await backend.url();
      traced = await connect(url, { tracing });
      // memory: is one store per connection; elsewhere a second, untraced client of the same store.
      plain = url === "memory:" ? traced : await connect(url);
    });
    afterAll(async () => {
      if (plain !== traced) await plain.close();
      await traced.close();
      await backend.stop();
    });

    it("round-trips $traceId/$spanId with the user's metadata, on read and on a subscription", async () => {
      exporter.reset();
      const stream = `${uniqueCategory("meta")}-1`;
      await traced.append(stream, [
        { type: "A", data: { n: 1 }, metadata: { correlationId: "c-1", tenant: "t1" } },
        { type: "B", data: { n: 2 } },
      ]);
      const append = exporter.getFinishedSpans().find((s) => s.name.startsWith("append "))!;
      const writer = { $traceId: append.spanContext().traceId, $spanId: append.spanContext().spanId };

      const read = await readAllOf(plain, stream);
      expect(read.map((e) => e.metadata)).toEqual([{ correlationId: "c-1", tenant: "t1", ...writer }, writer]);

      exporter.reset();
      const subscription = traced.subscribe(stream, { from: "start" });
      const delivered = [];
      for await (const event of subscription) {
        delivered.push(event);
        if (delivered.length === 2) break;
      }
      expect(delivered.map((e) => e.metadata)).toEqual(read.map((e) => e.metadata));
      const receives = exporter.getFinishedSpans().filter((s) => s.name.startsWith("receive "));
      expect(receives.map((s) => s.links.map((l) => l.context.spanId))).toEqual([[writer.$spanId], [writer.$spanId]]);
    });

    it("an event written without tracing has no trace keys and its delivery span no link", async () => {
      const stream = `${uniqueCategory("meta")}-2`;
      await plain.append(stream, [{ type: "A", data: {} }]);
      if (plain === traced) return; // memory: the one store is traced; the untraced case is covered in tracing.test.ts
      exporter.reset();
      const [event] = await readAllOf(traced, stream);
      expect(event!.metadata).toEqual({});
      const subscription = traced.subscribe(stream, { from: "start" });
      for await (const _ of subscription) break;
      const receives = exporter.getFinishedSpans().filter((s) => s.name.startsWith("receive "));
      expect(receives.map((s) => s.links)).toEqual([[]]);
    });
  });
}

describe("the size of stamped metadata", () => {
  it("is what the metadata encodes to with the trace keys, as size limits count it", async () => {
    const { prepareEvent } = await import("../../src/core/prepare.js");
    const { CodecRegistry } = await import("../../src/core/codec.js");
    const { withTraceContext } = await import("../../src/core/observability/trace-metadata.js");
    const codecs = new CodecRegistry();
    const shapes = [undefined, {}, { a: 1 }, { correlationId: "c", nested: { ü: "😀" } }];
    for (const metadata of shapes) {
      const prepared = prepareEvent({ type: "T", data: { x: 1 }, ...(metadata ? { metadata } : {}) }, codecs, "events[0]");
      const stamped = withTraceContext(prepared, "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331");
      expect(stamped.size, JSON.stringify(metadata)).toBe(prepared.data.byteLength + Buffer.byteLength(JSON.stringify(stamped.metadata)));
    }
  });
});

describe("stamped events", () => {
  it("keep every field of the prepared event, text and lazily made bytes included", async () => {
    const { prepareEvent } = await import("../../src/core/prepare.js");
    const { CodecRegistry } = await import("../../src/core/codec.js");
    const { withTraceContext } = await import("../../src/core/observability/trace-metadata.js");
    const codecs = new CodecRegistry();
    for (const data of [{ x: 1 }, new Uint8Array([1, 2, 3]), "plain text"]) {
      const prepared = prepareEvent({ type: "T", data, metadata: { k: "v" } }, codecs, "events[0]");
      const stamped = withTraceContext(prepared, "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331");
      expect(stamped.data).toEqual(prepared.data);
      expect(stamped.text).toBe(prepared.text);
      const { id, idGiven, type, contentType, schemaVersion } = prepared;
      expect(stamped).toMatchObject({ id, idGiven, type, contentType, schemaVersion });
      expect(stamped.metadata).toEqual({ k: "v", $traceId: "0af7651916cd43dd8448eb211c80319c", $spanId: "b7ad6b7169203331" });
    }
  });
});
