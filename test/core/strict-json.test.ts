import { describe, expect, it } from "vitest";
import { isSerializationError } from "../../src/core/errors.js";
import { stringifyStrict } from "../../src/core/strict-json.js";

const refused = (value: unknown) => {
  try {
    stringifyStrict(value);
  } catch (error) {
    expect(isSerializationError(error), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error("expected a SerializationError");
};

describe("stringifyStrict", () => {
  it("refuses values JSON would change silently, naming the property", () => {
    expect(refused({ a: NaN })).toContain('Property "a" is NaN');
    expect(refused({ a: { b: Infinity } })).toContain('"b" is Infinity');
    expect(refused({ a: -Infinity })).toContain("-Infinity");
    expect(refused({ f: () => 1 })).toContain('"f" is a function');
    expect(refused([1, () => 1])).toContain("function");
    expect(refused({ s: Symbol("x") })).toContain("symbol");
    expect(refused(() => 1)).toContain("The value is a function");
    expect(refused({ tags: new Set(["a"]) })).toContain('"tags" is a Set');
    expect(refused({ byId: new Map([["a", 1]]) })).toContain('"byId" is a Map');
    // Deeper than the fast walk goes: the checked path still finds it.
    let deep: Record<string, unknown> = { bad: NaN };
    for (let i = 0; i < 100; i++) deep = { deep };
    expect(refused(deep)).toContain('"bad" is NaN');
  });

  it("refuses what JSON cannot encode at all", () => {
    expect(refused(10n)).toMatch(/BigInt/i);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(refused(cycle)).toMatch(/circular/i);
    expect(refused(undefined)).toContain("no JSON form");
  });

  it("keeps the documented conversions: undefined properties dropped, toJSON values such as Date", () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    expect(stringifyStrict({ a: undefined, b: 1, at })).toBe('{"b":1,"at":"2026-01-02T03:04:05.678Z"}');
    expect(stringifyStrict({ n: null, z: -0, big: Number.MAX_SAFE_INTEGER })).toBe(`{"n":null,"z":0,"big":${Number.MAX_SAFE_INTEGER}}`);
  });
});
