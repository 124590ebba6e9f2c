import { describe, expect, it } from "vitest";
import {
  MIME,
  MIME_STRINGS,
  formatEventType,
  mimeToString,
  parseEventType,
  parseMime,
  parseSemver,
  tryParseMime,
} from "../../src/adapters/ensign/index.js";
import { mimeEnumValues } from "../../src/adapters/ensign/wire/codec.js";

describe("MIME mapping", () => {
  it("covers every value of the wire enum (aliases included) with its canonical string", () => {
    const wire = mimeEnumValues();
    expect(Object.keys(MIME).sort()).toEqual(Object.keys(wire).sort());
    for (const [name, value] of Object.entries(wire)) expect(MIME[name as keyof typeof MIME]).toBe(value);
    expect(new Set(Object.values(wire))).toEqual(new Set(MIME_STRINGS.keys()));
  });

  it("round-trips every value: value → string → value", () => {
    for (const [value, text] of MIME_STRINGS) {
      expect(mimeToString(value)).toBe(text);
      expect(parseMime(text)).toBe(value);
      expect(parseMime(value)).toBe(value);
    }
    expect(MIME_STRINGS.size).toBe(29);
  });

  it.each([
    ["application/json; charset=utf-8", 50],
    ["APPLICATION/JSON", 50],
    ["  text/plain  ", 1],
    ["application/vnd.myapp.type+xml", 100],
    ["application/vnd.api+json", 50],
    ["text/json", 50],
    ["application/csv", 2],
    ["application/plain", 1],
    ["text/xml", 100],
    ["user/format-7", 1007],
    ["application/ld+json", 51],
    ["application/atom+xml", 101],
    ["application/x-protobuf+protobuf", 255],
  ])("parses %s best-effort as %i", (input, value) => {
    expect(parseMime(input)).toBe(value);
  });

  it.each(["image/png", "application/x-unknown", "nonsense", "", "application/", 7, 1010])("refuses %s", (input) => {
    expect(tryParseMime(input)).toBeUndefined();
    expect(() => parseMime(input)).toThrowError(expect.objectContaining({ code: "VALIDATION" }));
  });

  it("refuses an unknown value when printing", () => {
    expect(() => mimeToString(999)).toThrowError(expect.objectContaining({ code: "VALIDATION" }));
  });
});

describe("schema types and semver", () => {
  it.each([
    ["1.2.3", [1, 2, 3]],
    ["v1.2.3", [1, 2, 3]],
    ["0.0.0", [0, 0, 0]],
    ["10.20.30-rc.1+build.5", [10, 20, 30]],
    ["1.0.0-alpha", [1, 0, 0]],
    ["4294967295.0.1", [4294967295, 0, 1]],
  ])("parses %s", (text, [major, minor, patch]) => {
    expect(parseSemver(text)).toEqual({ major, minor, patch });
  });

  it.each(["1.2", "1", "01.2.3", "1.2.3.4", "a.b.c", "", "v", "1.2.3-", "4294967296.0.0"])("refuses %s", (text) => {
    expect(() => parseSemver(text)).toThrowError(expect.objectContaining({ code: "VALIDATION" }));
  });

  it('parses and prints "Name v1.2.3"', () => {
    expect(parseEventType("Order v1.2.3")).toEqual({ name: "Order", major: 1, minor: 2, patch: 3 });
    expect(parseEventType("Order Placed 2.0.0")).toEqual({ name: "Order Placed", major: 2, minor: 0, patch: 0 });
    expect(parseEventType("Order")).toEqual({ name: "Order", major: 0, minor: 0, patch: 0 });
    expect(formatEventType({ name: "Order", major: 1, minor: 2, patch: 3 })).toBe("Order v1.2.3");
    expect(parseEventType(formatEventType({ name: "X", major: 7, minor: 0, patch: 9 }))).toEqual({ name: "X", major: 7, minor: 0, patch: 9 });
    expect(() => parseEventType("Order v1.x")).toThrowError(expect.objectContaining({ code: "VALIDATION" }));
    expect(() => parseEventType("  ")).toThrowError(expect.objectContaining({ code: "VALIDATION" }));
  });
});
