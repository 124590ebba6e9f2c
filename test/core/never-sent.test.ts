import { describe, expect, it } from "vitest";
import { failedBeforeSending } from "../../src/core/never-sent.js";

const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("failedBeforeSending", () => {
  it.each([
    ["a DNS failure in grpc-js", grpcError(14, "UNAVAILABLE: Name resolution failed for target dns:nonexistent.invalid:2113")],
    ["ENOTFOUND", nodeError("ENOTFOUND", "getaddrinfo ENOTFOUND db.example")],
    ["EAI_AGAIN", nodeError("EAI_AGAIN", "getaddrinfo EAI_AGAIN db.example")],
    ["a refused connection", nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:2113")],
    ["an unreachable host", nodeError("EHOSTUNREACH", "connect EHOSTUNREACH 10.0.0.9:2113")],
    ["a connect timeout", nodeError("ETIMEDOUT", "connect ETIMEDOUT 10.0.0.9:2113")],
    ["no connection in grpc-js", grpcError(14, "No connection established. Last error: Error: connect ECONNREFUSED")],
    ["a channel closed first", grpcError(14, "Channel closed before call started")],
    ["a deadline while resolving", grpcError(4, "Deadline exceeded after 2.001s,waiting for name resolution")],
    ["a deadline before a transport was picked", grpcError(4, "Deadline exceeded after 2.001s,name resolution: 0.001s,LB pick: 2s,Waiting for LB pick")],
    ["failed gossip discovery", new Error("Failed to discover after 10 attempts.")],
    ["a DNS failure deeper in the cause chain", new Error("fetch failed", { cause: nodeError("ENOTFOUND", "getaddrinfo ENOTFOUND auth.example") })],
  ])("%s: never sent", (_name, error) => {
    expect(failedBeforeSending(error)).toBe(true);
  });

  it.each([
    ["a dropped connection", grpcError(14, "Connection dropped")],
    ["a reset", nodeError("ECONNRESET", "read ECONNRESET")],
    ["a deadline after the call started", grpcError(4, "Deadline exceeded after 2.001s,LB pick: 0.001s,remote_addr=127.0.0.1:2113")],
    ["a cancel by the server", grpcError(1, "Cancelled on server")],
    ["a timeout of a read", nodeError("ETIMEDOUT", "read ETIMEDOUT")],
    ["something else", new Error("boom")],
    ["not an error", "Name resolution failed"],
    ["nothing", undefined],
  ])("%s: may have been sent", (_name, error) => {
    expect(failedBeforeSending(error)).toBe(false);
  });
});
