/** Helpers shared by the unary handlers: auth wrapper, ULID parsing, paging. */
import { status, type handleUnaryCall, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { isUlidString, ulidFromString, ulidToString } from "../../adapters/ensign/wire/index.js";
import { RpcError, authenticate, notAuthorized, type Caller } from "./auth.js";
import type { EmulatorContext } from "./context.js";

export const MAINTENANCE_MESSAGE = "the Ensign server is currently in maintenance mode";

/** Wraps an authenticated unary handler: maintenance check, token check, RpcError -> status. */
export function authed<Req, Res>(
  ctx: () => EmulatorContext,
  handler: (request: Req, caller: Caller, context: EmulatorContext) => Res,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    try {
      const context = ctx();
      if (context.maintenance) throw new RpcError(status.UNAVAILABLE, MAINTENANCE_MESSAGE);
      const caller = authenticate(call.metadata, context.tokens, context.audience);
      callback(null, handler(call.request, caller, context));
    } catch (error) {
      callback(asStatus(error));
    }
  };
}

export function asStatus(error: unknown): { code: number; details: string } {
  if (error instanceof RpcError) return { code: error.code, details: error.details };
  return { code: status.INTERNAL, details: "internal error" };
}

/** The caller's project id as ULID text (upper case); PERMISSION_DENIED when it does not parse. */
export function projectOf(caller: Caller): string {
  if (!isUlidString(caller.projectId)) throw notAuthorized();
  return caller.projectId.toUpperCase();
}

/** ULID text from a `bytes` id field, or undefined when it is not 16 bytes. */
export function idFromBytes(bytes: Uint8Array): string | undefined {
  return bytes.length === 16 ? ulidToString(bytes) : undefined;
}

/** ULID text (upper case) from a `string` id field, or undefined when it does not parse. */
export function idFromText(text: string): string | undefined {
  const trimmed = text.trim();
  return isUlidString(trimmed) ? ulidToString(ulidFromString(trimmed)) : undefined;
}

const DEFAULT_PAGE_SIZE = 100;
const CURSOR_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * One page of `items` (already in key order). The token is opaque (base64url JSON naming the
 * last key of the previous page and an expiry, 24 h like the server's cursor); a token that does
 * not parse or has expired fails with `invalidToken`.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  pageSize: number,
  token: string,
  nowMs: number,
  invalidToken: () => RpcError,
): { page: T[]; next: string } {
  const size = pageSize > 0 ? pageSize : DEFAULT_PAGE_SIZE;
  let start = 0;
  if (token !== "") {
    let cursor: { end?: unknown; expires?: unknown };
    try {
      cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    } catch {
      throw invalidToken();
    }
    if (typeof cursor.end !== "string" || typeof cursor.expires !== "number" || cursor.expires <= nowMs) {
      throw invalidToken();
    }
    const end = cursor.end;
    start = items.findIndex((item) => keyOf(item) > end);
    if (start < 0) return { page: [], next: "" };
  }
  const page = items.slice(start, start + size);
  const hasMore = start + size < items.length;
  const last = page[page.length - 1];
  const next =
    hasMore && last !== undefined
      ? Buffer.from(JSON.stringify({ end: keyOf(last), expires: nowMs + CURSOR_TTL_MS })).toString("base64url")
      : "";
  return { page, next };
}
