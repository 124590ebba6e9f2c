/** EnSQL (server streaming) and Explain. */
import { status, type ServerWritableStream } from "@grpc/grpc-js";
import type { EventWrapper, Query } from "../../adapters/ensign/wire/index.js";
import { PERMISSIONS, RpcError, authenticate, notAuthorized, type Caller } from "./auth.js";
import type { EmulatorContext } from "./context.js";
import { dereference } from "./dedup.js";
import { EnsqlError, parseEnsql } from "./ensql.js";
import { MAINTENANCE_MESSAGE, asStatus, projectOf } from "./rpc.js";

function waitForDrain(call: ServerWritableStream<Query, EventWrapper>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("cancelled", done);
      resolve();
    };
    call.on("drain", done);
    call.on("cancelled", done);
  });
}

/**
 * Streams the stored events of the topic named in FROM, in log order: OFFSET skips stored events
 * (duplicates included), duplicates are skipped unless include_duplicates (then dereferenced),
 * LIMIT caps the number sent. WHERE is parsed but not evaluated, and params are unused, as in
 * the real server. An empty result is a normal end of stream.
 */
export async function handleEnsql(ctx: EmulatorContext, call: ServerWritableStream<Query, EventWrapper>): Promise<void> {
  try {
    if (ctx.maintenance) throw new RpcError(status.UNAVAILABLE, MAINTENANCE_MESSAGE);
    const caller = authenticate(call.metadata, ctx.tokens, ctx.audience);
    if (!caller.hasAny(PERMISSIONS.subscriber, PERMISSIONS.readTopics)) throw notAuthorized();
    const projectId = projectOf(caller);
    const request = call.request;
    if (request.query === "") throw new RpcError(status.INVALID_ARGUMENT, "invalid query");
    let parsed;
    try {
      parsed = parseEnsql(request.query);
    } catch (error) {
      if (error instanceof EnsqlError) throw new RpcError(status.INVALID_ARGUMENT, error.message);
      throw error;
    }
    const topic = ctx.store.findByName(projectId, parsed.topic);
    if (!topic) throw new RpcError(status.INVALID_ARGUMENT, "unknown topic in query");
    // Snapshot the log as the iterator would see it when the query starts.
    const events = topic.events.slice(parsed.offset ?? 0);
    // Built only when a duplicate needs its original: most queries hold none, and building it
    // costs a pass over the whole topic.
    let byId: Map<string, (typeof topic.events)[number]> | undefined;
    let sent = 0;
    for (const stored of events) {
      if (call.cancelled) return;
      if (stored.is_duplicate && !request.include_duplicates) continue;
      const event = stored.is_duplicate
        ? dereference(stored, (byId ??= new Map(topic.events.map((e) => [Buffer.from(e.id).toString("hex"), e]))).get(Buffer.from(stored.duplicate_id).toString("hex")))
        : stored;
      if (!call.write(event)) await waitForDrain(call);
      sent++;
      // Checked after sending, as the server does (so `LIMIT 0` still returns one event).
      if (parsed.limit !== undefined && sent >= parsed.limit) break;
    }
    call.end();
  } catch (error) {
    call.emit("error", asStatus(error));
  }
}

export function explain(_request: Query, caller: Caller): never {
  if (!caller.has(PERMISSIONS.subscriber)) throw notAuthorized();
  projectOf(caller);
  throw new RpcError(status.UNIMPLEMENTED, "explain query is not implemented yet");
}
