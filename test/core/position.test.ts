import { describe, expect, it } from "vitest";
import { Position, isValidationError } from "../../src/index.js";

describe("Position", () => {
  it("round-trips through its string form and JSON", () => {
    const position = new Position("esdb", [120n, 118n]);
    expect(position.toString()).toBe("esdb:120/118");
    expect(Position.parse("esdb:120/118").equals(position)).toBe(true);
    expect(JSON.parse(JSON.stringify({ checkpoint: position }))).toEqual({ checkpoint: "esdb:120/118" });
  });

  it("orders part by part", () => {
    const a = Position.parse("esdb:10/5");
    expect(a.compareTo(Position.parse("esdb:10/6"))).toBeLessThan(0);
    expect(a.compareTo(Position.parse("esdb:9/100"))).toBeGreaterThan(0);
    expect(a.compareTo(Position.parse("esdb:10/5"))).toBe(0);
    expect(Position.parse("memory:99999999999999999999").compareTo(Position.parse("memory:2"))).toBeGreaterThan(0);
  });

  it.each(["", "memory", "memory:", "memory:-1", "memory:1.5", "Memory:1", "memory:1/", ":1", "memory:abc"])(
    "refuses the malformed position %j",
    (text) => {
      expect(() => Position.parse(text)).toThrowError(expect.objectContaining({ code: "VALIDATION", field: "position" }));
    },
  );

  it("refuses a position of another backend or another shape", () => {
    expect(() => Position.parse("esdb:1/1", "memory")).toThrow(/belongs to the esdb backend/);
    expect(() => Position.from("memory:1/2", "memory", 1)).toThrow(/has 2 part/);
    expect(() => Position.parse("memory:1").compareTo(Position.parse("esdb:1/1"))).toThrow(/belongs/);
    try {
      Position.from(42 as unknown as string, "memory");
    } catch (error) {
      expect(isValidationError(error)).toBe(true);
    }
  });
});
