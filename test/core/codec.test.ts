import { describe, expect, it } from "vitest";
import { createMemoryEventStream } from "../../src/adapters/memory/index.js";
import { CodecRegistry, normaliseContentType, type Codec } from "../../src/index.js";

const reversed: Codec = {
  contentType: "application/x-reversed",
  encode: (data) => new TextEncoder().encode([...String(data)].reverse().join("")),
  decode: (bytes) => [...new TextDecoder().decode(bytes)].reverse().join(""),
};

describe("codecs", () => {
  it("normalises content types: case and parameters do not matter", () => {
    expect(normaliseContentType("Application/JSON; charset=utf-8")).toBe("application/json");
    expect(new CodecRegistry().get("application/json; charset=utf-8").contentType).toBe("application/json");
  });

  it("a registered codec is used on append and read", async () => {
    const store = createMemoryEventStream({ codecs: new CodecRegistry().register(reversed) });
    await store.append("word-1", [{ type: "said", data: "hello", contentType: "application/x-reversed" }]);
    const events = [];
    for await (const event of store.read("word-1")) events.push(event);
    expect(events[0]!.data).toBe("hello");
    expect(events[0]!.contentType).toBe("application/x-reversed");
  });

  it("text/plain refuses a lone surrogate, which UTF-8 would replace with U+FFFD, and nothing is written", async () => {
    const store = createMemoryEventStream();
    await expect(store.append("text-1", [{ type: "said", data: "half \ud83d", contentType: "text/plain" }])).rejects.toMatchObject({
      name: "SerializationError",
      message: expect.stringContaining("lone surrogate"),
    });
    await store.append("text-1", [{ type: "said", data: "whole \ud83d\ude00", contentType: "text/plain" }]);
    const events = [];
    for await (const event of store.read("text-1")) events.push(event);
    expect(events.map((e) => e.data)).toEqual(["whole \ud83d\ude00"]);
  });

  it("a codec's text form and its bytes agree: the bytes of a prepared event are the UTF-8 of its text", async () => {
    const { prepareEvents } = await import("../../src/index.js");
    const [json, text] = prepareEvents("agree-1", [
      { type: "a", data: { note: "żółw 🐢" } },
      { type: "b", data: "żółw 🐢", contentType: "text/plain" },
    ], new CodecRegistry());
    expect(new TextDecoder().decode(json!.data)).toBe(json!.text);
    expect(json!.size).toBe(json!.data.byteLength);
    expect(new TextDecoder().decode(text!.data)).toBe("żółw 🐢");
    expect(text!.size).toBe(text!.data.byteLength);
  });

  it("an unknown content type lists the registered ones", () => {
    expect(() => new CodecRegistry().get("application/msgpack")).toThrow(
      /No codec is registered for content type "application\/msgpack" \(registered: application\/json, application\/octet-stream, text\/plain\)/,
    );
  });

  it("the memory adapter hands out copies: mutating a read event does not change the store", async () => {
    const store = createMemoryEventStream();
    const data = { list: [1, 2] };
    await store.append("copy-1", [{ type: "t", data, metadata: { tag: "a" } }]);
    data.list.push(3);
    const first = [];
    for await (const event of store.read("copy-1")) first.push(event);
    (first[0]!.data as { list: number[] }).list.push(4);
    (first[0]!.metadata as { tag: string }).tag = "changed";
    const second = [];
    for await (const event of store.read("copy-1")) second.push(event);
    expect(second[0]!.data).toEqual({ list: [1, 2] });
    expect(second[0]!.metadata).toEqual({ tag: "a" });
  });
});
