import { describe, expect, it } from "vitest";
import {
  decodeEvent,
  decodeMessage,
  encodeEvent,
  encodeMessage,
  ensignRoot,
  fromTimestamp,
  makeRlid,
  mimeEnumValues,
  murmur3x64128,
  newUlid,
  rlidToString,
  toTimestamp,
  topicNameHash,
  ulidFromString,
  ulidToString,
  type EventWrapper,
  type PublisherReply,
  type StreamReady,
} from "../../src/adapters/ensign/wire/index.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Field number and type of every field of a message, for comparing against the sheet. */
function fields(fullName: string): Record<string, string> {
  const type = ensignRoot().lookupType(fullName);
  return Object.fromEntries(
    type.fieldsArray.map((f) => [f.name, `${f.id}:${f.map ? `map<${(f as unknown as { keyType: string }).keyType},${f.type}>` : f.repeated ? `repeated ${f.type}` : f.type}`]),
  );
}

describe("Ensign wire encoding (protocol sheet byte vectors)", () => {
  it("encodes the sheet's Event vector byte for byte and decodes it back", () => {
    const bytes = encodeEvent({ data: Buffer.from("hi"), mimetype: 50, type: { name: "X", major_version: 1 } });
    expect(hex(bytes)).toBe("12026869" + "2032" + "2a050a01581001");
    const event = decodeEvent(Buffer.from("120268692032" + "2a050a01581001", "hex"));
    expect(Buffer.from(event.data).toString()).toBe("hi");
    expect(event.mimetype).toBe(50);
    expect(event.type).toEqual({ name: "X", major_version: 1, minor_version: 0, patch_version: 0 });
    expect(event.created).toBeNull();
    expect(event.metadata).toEqual({});
  });

  it("puts EventWrapper.local_id on field 16 and committed on field 15 (no field 14)", () => {
    const bytes = encodeMessage<EventWrapper>("ensign.v1beta1.EventWrapper", {
      local_id: Buffer.from([0xaa]),
      committed: { seconds: 1 },
    });
    // field 15 LEN -> tag 0x7a; field 16 LEN -> tag 0x82 0x01
    expect(hex(bytes)).toBe("7a020801" + "820101aa");
    expect(fields("ensign.v1beta1.EventWrapper")).toMatchObject({
      id: "1:bytes", topic_id: "2:bytes", offset: "3:uint64", epoch: "4:uint64", region: "5:region.v1beta1.Region",
      publisher: "6:Publisher", key: "7:bytes", shard: "8:uint64", event: "9:bytes", encryption: "10:Encryption",
      compression: "11:Compression", is_duplicate: "12:bool", duplicate_id: "13:bytes", committed: "15:google.protobuf.Timestamp",
      local_id: "16:bytes",
    });
  });

  it("keeps the oneof field numbers of the stream envelopes", () => {
    const ready = encodeMessage<PublisherReply>("ensign.v1beta1.PublisherReply", { ready: { client_id: "c" } });
    expect(hex(ready)).toBe("1a03" + "0a0163"); // field 3 (ready) containing field 1 "c"
    const closing = encodeMessage<PublisherReply>("ensign.v1beta1.PublisherReply", { close_stream: { events: 2, nacks: 1 } });
    expect(hex(closing)).toBe("2204" + "08022001");
    expect(hex(encodeMessage("ensign.v1beta1.PublisherRequest", { open_stream: {} }))).toBe("1200");
    expect(hex(encodeMessage("ensign.v1beta1.SubscribeRequest", { subscription: {} }))).toBe("1a00");
    expect(hex(encodeMessage("ensign.v1beta1.SubscribeReply", { ready: {} }))).toBe("1200");
    const decoded = decodeMessage<PublisherReply>("ensign.v1beta1.PublisherReply", Buffer.from("12050a0101100a", "hex"));
    expect(decoded.embed).toBe("nack");
    expect(decoded.nack?.code).toBe(10);
    expect(hex(decoded.nack?.id ?? new Uint8Array())).toBe("01");
  });

  it("encodes StreamReady.topics as map<string, bytes> on field 3", () => {
    const bytes = encodeMessage<StreamReady>("ensign.v1beta1.StreamReady", { topics: { a: Buffer.from([1]) } });
    expect(hex(bytes)).toBe("1a06" + "0a0161" + "120101");
  });

  it("matches the sheet's field tables for topics, queries and status", () => {
    expect(fields("ensign.v1beta1.Topic")).toMatchObject({
      id: "1:bytes", project_id: "2:bytes", name: "3:string", readonly: "4:bool", offset: "5:uint64", shards: "6:uint32",
      status: "7:TopicState", deduplication: "11:Deduplication", placements: "12:repeated Placement", types: "13:repeated Type",
      created: "14:google.protobuf.Timestamp", modified: "15:google.protobuf.Timestamp",
    });
    expect(fields("ensign.v1beta1.TopicName")).toEqual({ topic_id: "1:string", project_id: "2:string", name: "3:string" });
    expect(fields("ensign.v1beta1.TopicMod")).toEqual({ id: "1:string", operation: "2:Operation" });
    expect(fields("ensign.v1beta1.Query")).toEqual({ query: "1:string", params: "2:repeated Parameter", include_duplicates: "3:bool" });
    expect(fields("ensign.v1beta1.Parameter")).toEqual({ i: "1:sint64", d: "2:double", b: "3:bool", y: "4:bytes", s: "5:string", name: "6:string" });
    expect(fields("ensign.v1beta1.ProjectInfo")).toEqual({
      project_id: "1:bytes", num_topics: "2:uint64", num_readonly_topics: "3:uint64", events: "7:uint64", duplicates: "8:uint64",
      data_size_bytes: "9:uint64", topics: "15:repeated TopicInfo",
    });
    expect(fields("ensign.v1beta1.TopicInfo")).toMatchObject({ event_offset_id: "3:bytes", events: "7:uint64", types: "14:repeated EventTypeInfo" });
    expect(fields("ensign.v1beta1.Subscription")).toEqual({ client_id: "1:string", topics: "2:repeated string", query: "3:Query", group: "4:ConsumerGroup" });
    expect(fields("ensign.v1beta1.ConsumerGroup")).toMatchObject({ delivery_timeout: "5:google.protobuf.Duration", topic_offsets: "12:map<string,uint64>" });
    expect(ensignRoot().lookupEnum("ensign.v1beta1.Nack.Code").values).toMatchObject({ TOPIC_UNKNOWN: 2, MAX_EVENT_SIZE_EXCEEDED: 1, DELIVER_AGAIN_NOT_ME: 105 });
    expect(ensignRoot().lookupEnum("ensign.v1beta1.TopicState").values).toMatchObject({ READONLY: 2, DELETING: 3 });
  });

  it("keeps 64-bit integers exact as decimal strings", () => {
    const bytes = encodeMessage("ensign.v1beta1.Topic", { offset: "18446744073709551615" });
    expect(decodeMessage<{ offset: string }>("ensign.v1beta1.Topic", bytes).offset).toBe("18446744073709551615");
    const param = encodeMessage("ensign.v1beta1.Parameter", { i: -1 });
    expect(hex(param)).toBe("0801"); // sint64 zigzag
  });

  it("has every MIME value of the sheet, aliases included", () => {
    const values = mimeEnumValues();
    expect(values).toMatchObject({
      UNSPECIFIED: 0, UNKNOWN: 0, APPLICATION_OCTET_STREAM: 0, TEXT_PLAIN: 1, TEXT_CSV: 2, TEXT_HTML: 3, TEXT_CALENDAR: 4,
      APPLICATION_JSON: 50, APPLICATION_JSON_UTF8: 50, APPLICATION_JSON_LD: 51, APPLICATION_JSON_LINES: 52, APPLICATION_UBJSON: 53,
      APPLICATION_BSON: 54, APPLICATION_XML: 100, APPLICATION_ATOM: 101, APPLICATION_MSGPACK: 252, APPLICATION_PARQUET: 253,
      APPLICATION_AVRO: 254, APPLICATION_PROTOBUF: 255, APPLICATION_PDF: 512, APPLICATION_JAVA_ARCHIVE: 513,
      APPLICATION_PYTHON_PICKLE: 514, USER_SPECIFIED0: 1000, USER_SPECIFIED9: 1009,
    });
    expect(Object.keys(values)).toHaveLength(32);
  });

  it("round-trips timestamps at millisecond precision", () => {
    const date = new Date("2026-11-23T11:22:33.456Z");
    expect(toTimestamp(date)).toEqual({ seconds: String(Math.floor(date.getTime() / 1000)), nanos: 456_000_000 });
    expect(fromTimestamp(toTimestamp(date)).getTime()).toBe(date.getTime());
  });
});

describe("Ensign identifiers and topic hashes", () => {
  it("hashes topic names with murmur3 x64-128 (sheet vectors)", () => {
    expect(hex(murmur3x64128(Buffer.from("testing.topics.topica")))).toBe("21d4dcc478199a52ccf28063fd8cad2f");
    expect(topicNameHash("testing.topics.topica")).toBe("IdTcxHgZmlLM8oBj_YytLw");
    expect(topicNameHash("testing.topics.topicb")).toBe("F7x4fhbO4EhHVNDmBjMRIQ");
    expect(topicNameHash("testing.topics.topicc")).toBe("YuxuzM--ndLwlQX0kqnOBw");
    expect(topicNameHash("Testing.topics.topica")).not.toBe("IdTcxHgZmlLM8oBj_YytLw");
  });

  it("renders RLIDs as lower-case Crockford base32 (sheet vectors)", () => {
    expect(rlidToString(Buffer.from("0183425f666f006feb6b", "hex"))).toBe("061m4qv6dw06ztvb");
    expect(rlidToString(Buffer.alloc(10, 0x42))).toBe("89144gj289144gj2");
    expect(makeRlid(0x0183425f666f, 0x006feb6b).toString("hex")).toBe("0183425f666f006feb6b");
    expect(() => rlidToString(Buffer.alloc(16))).toThrow(RangeError);
  });

  it("converts ULIDs between 16 bytes and 26-char text", () => {
    const id = newUlid(1_700_000_000_000);
    const text = ulidToString(id);
    expect(text).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidFromString(text).equals(id)).toBe(true);
    expect(ulidFromString(text.toLowerCase()).equals(id)).toBe(true);
    expect(ulidToString(Buffer.alloc(16))).toBe("00000000000000000000000000");
    expect(() => ulidFromString("not-a-ulid")).toThrow(RangeError);
    expect(() => ulidFromString("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")).toThrow(RangeError);
  });
});
