/**
 * A host name that does not resolve: nothing left the process, so a failed append is not
 * "outcome unknown". `.invalid` never resolves (RFC 6761); short deadlines keep the test fast.
 */
import { DeadlineExceededError, UnavailableError } from "@eventstore/db-client";
import { describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { isConnectionError, type ConnectionError } from "../../src/core/errors.js";
import { translateError } from "../../src/adapters/eventstoredb/errors.js";
import { rejection, uniqueStream } from "./support.js";

const serviceError = (code: number, details: string) =>
  Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { getMap: () => ({}) } });

describe("EventStoreDB: a DNS failure on append", () => {
  it("an append to a host that does not resolve fails with ConnectionError, outcome known (not stored)", async () => {
    const store = await connect("esdb://nonexistent.invalid:2113?tls=false&defaultDeadline=3000");
    const error = (await rejection(() => store.append(uniqueStream(), [{ type: "a", data: 1 }]))) as ConnectionError;
    await store.close();
    expect(isConnectionError(error), String(error)).toBe(true);
    expect(error.outcomeUnknown).toBe(false);
    expect(error.message).not.toMatch(/may or may not have been stored/);
  });

  it("maps name-resolution failures to outcome known, a dropped call to outcome unknown", () => {
    const notSent = [
      new UnavailableError(serviceError(14, "UNAVAILABLE: Name resolution failed for target dns:db.example:2113") as never),
      new UnavailableError(serviceError(14, "No connection established. Last error: Error: getaddrinfo EAI_AGAIN db.example") as never),
      new DeadlineExceededError(serviceError(4, "Deadline exceeded after 3.001s,waiting for name resolution") as never),
      Object.assign(new Error("getaddrinfo ENOTFOUND db.example"), { code: "ENOTFOUND" }),
      new Error("Failed to discover after 10 attempts."),
    ];
    for (const driver of notSent) {
      const error = translateError(driver, { operation: "append", stream: "s-1", expected: "any" }) as ConnectionError;
      expect(isConnectionError(error), driver.message).toBe(true);
      expect(error.outcomeUnknown, driver.message).toBe(false);
    }
    const dropped = new UnavailableError(serviceError(14, "Connection dropped") as never);
    expect((translateError(dropped, { operation: "append", stream: "s-1" }) as ConnectionError).outcomeUnknown).toBe(true);
  });
});
