import { describe, expect, it } from "vitest";
import { CodecRegistry } from "../../src/core/codec.js";
import { ValidationError } from "../../src/core/errors.js";
import { prepareEvents } from "../../src/core/prepare.js";
import { createMemoryEventStream } from "../../src/adapters/memory/index.js";

const codecs = new CodecRegistry();
const sized = (bytes: number) => ({ type: "t", data: "x".repeat(bytes), contentType: "text/plain" });

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error("expected a refusal");
}

describe("the append size limit honours its declared scope", () => {
  it("per batch: events within the limit are refused when together over it", () => {
    const error = refusal(() => prepareEvents("s-1", [sized(60), sized(60)], codecs, 100, { per: "batch" }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: "events", message: expect.stringContaining("120 bytes") });
    expect(error.message).toContain("100 bytes per append");
    // The default scope is the batch.
    expect(refusal(() => prepareEvents("s-1", [sized(60), sized(60)], codecs, 100)).field).toBe("events");
  });

  it("per event: a batch over the limit in total is accepted; the one event over it is named", () => {
    expect(prepareEvents("s-1", [sized(60), sized(60)], codecs, 100, { per: "event" })).toHaveLength(2);
    const error = refusal(() => prepareEvents("s-1", [sized(10), sized(101)], codecs, 100, { per: "event" }));
    expect(error).toMatchObject({ code: "VALIDATION", field: "events[1]" });
    expect(error.message).toContain("at most 100 bytes per event");
  });

  it("counts an event as the backend does when it says how", () => {
    const withEnvelope = { per: "event" as const, sizeOf: (_stream: string, event: { size: number }) => event.size + 50 };
    expect(prepareEvents("s-1", [sized(50)], codecs, 100, withEnvelope)).toHaveLength(1);
    expect(refusal(() => prepareEvents("s-1", [sized(51)], codecs, 100, withEnvelope)).field).toBe("events[0]");
  });

  it("memory declares its limit per batch", async () => {
    const store = createMemoryEventStream({ maxAppendBytes: 100 });
    try {
      expect(store.capabilities).toMatchObject({ maxAppendBytes: 100, maxAppendBytesPer: "batch" });
      await expect(store.append("s-1", [sized(60), sized(60)])).rejects.toMatchObject({ code: "VALIDATION", field: "events" });
    } finally {
      await store.close();
    }
  });
});
