import { describe, expect, it } from "vitest";
import { createMemoryEventStream } from "../../src/adapters/memory/index.js";
import { connect, isClosedError, isValidationError } from "../../src/index.js";

async function rejection(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to fail");
}

describe("memory ping()", () => {
  it("resolves while open and rejects with ClosedError once closed", async () => {
    const store = await connect("memory:");
    await store.ping();
    await store.ping({ timeoutMs: 50 });
    await store.close();
    expect(isClosedError(await rejection(() => store.ping()))).toBe(true);
  });

  it("checks its options as every backend does: a bad timeout, an aborted signal", async () => {
    const store = createMemoryEventStream();
    for (const timeoutMs of [0, -1, Number.NaN, Infinity, "5" as unknown as number]) {
      const error = await rejection(() => store.ping({ timeoutMs }));
      expect(isValidationError(error) && error.field).toBe("timeoutMs");
    }
    const reason = new Error("caller gave up");
    expect(await rejection(() => store.ping({ signal: AbortSignal.abort(reason) }))).toBe(reason);
    await store.close();
  });
});
