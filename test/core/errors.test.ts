import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";

describe("error tree", () => {
  const cases: Array<[api.SwitchyardError, string, (e: unknown) => boolean]> = [
    [new api.WrongExpectedRevisionError("s", 1n, 2n), "WRONG_EXPECTED_REVISION", api.isWrongExpectedRevisionError],
    [new api.StreamNotFoundError("s"), "STREAM_NOT_FOUND", api.isStreamNotFoundError],
    [new api.StreamDeletedError("s"), "STREAM_DELETED", api.isStreamDeletedError],
    [new api.UnsupportedOperationError("tombstone", "no"), "UNSUPPORTED_OPERATION", api.isUnsupportedOperationError],
    [new api.ConnectionError("down", { outcomeUnknown: true }), "CONNECTION", api.isConnectionError],
    [new api.AuthenticationError("who"), "AUTHENTICATION", api.isAuthenticationError],
    [new api.AuthorizationError("no"), "AUTHORIZATION", api.isAuthorizationError],
    [new api.SerializationError("bad", "application/json"), "SERIALIZATION", api.isSerializationError],
    [new api.ValidationError("bad", "field"), "VALIDATION", api.isValidationError],
    [new api.ConfigurationError("bad"), "CONFIGURATION", api.isConfigurationError],
    [new api.ClosedError("closed"), "CLOSED", api.isClosedError],
    [new api.PartialAppendError("s", ["a"], ["b"]), "PARTIAL_APPEND", api.isPartialAppendError],
  ];

  it.each(cases)("%s has a stable code, a name and a guard that checks the code", (error, code, guard) => {
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(api.SwitchyardError);
    expect(error.name).toBe(error.constructor.name);
    expect(guard(error)).toBe(true);
    expect(api.isSwitchyardError(error)).toBe(true);
    // A copy from another module instance (e.g. the CJS build) is recognised by its code.
    const foreign = Object.assign(new Error(error.message), { code });
    expect(guard(foreign)).toBe(true);
    expect(guard(new Error("plain"))).toBe(false);
  });

  it("keeps the driver's error as cause", () => {
    const driver = new Error("UNAVAILABLE: No connection established");
    const error = new api.ConnectionError("EventStoreDB is unreachable", { cause: driver, outcomeUnknown: true });
    expect(error.cause).toBe(driver);
    expect(error.outcomeUnknown).toBe(true);
  });

  it("a conflict says what was expected and what was found", () => {
    const error = new api.WrongExpectedRevisionError("account-1", "no_stream", 4n);
    expect(error.message).toBe('Append to "account-1" expected revision no_stream but the stream is at 4');
    expect(error.expected).toBe("no_stream");
    expect(error.actual).toBe(4n);
  });
});
