// Streams.Read: stream and `$all` reads in both directions, and catch-up subscriptions
// (confirmation -> history strictly after the start -> caught_up -> live), with filtered `$all`
// subscriptions emitting checkpoints.
import { randomUUID } from "node:crypto";
import type { ServerWritableStream } from "@grpc/grpc-js";
import type { ReadReq, ReadResp } from "@eventstore/db-client/generated/streams_pb";
import type { Authenticator } from "./auth.js";
import { invalidArgument, notLeader, streamDeleted } from "./errors.js";
import { eventFilterOf, type EventFilter } from "./filter.js";
import { resolveLink } from "./links.js";
import { requiresLeader, type NodeRole } from "./node-role.js";
import { streamsPb } from "./proto.js";
import { DELETED_STREAM, type EventStore, type StoredEvent } from "./store.js";
import { eventResponse, streamIdentifier, streamName, type UuidForm } from "./wire.js";

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

interface ReadContext {
  readonly call: ReadCall;
  readonly store: EventStore;
  readonly form: UuidForm;
  readonly resolveLinks: boolean;
}

/** A follower serves reads and subscriptions itself, unless the call requires the leader. */
export function streamsReadHandler(store: EventStore, auth: Authenticator, role: NodeRole) {
  return (call: ReadCall): void => {
    const denied = auth.authorize(call.metadata);
    if (denied !== undefined) {
      call.emit("error", denied);
      return;
    }
    if (role.state !== "leader" && requiresLeader(call.metadata)) {
      call.emit("error", notLeader(role.leader()));
      return;
    }
    try {
      const options = call.request.getOptions();
      if (options === undefined) throw invalidArgument("Options were not sent");
      const context: ReadContext = {
        call,
        store,
        form: options.getUuidOption()?.hasStructured() === true ? "structured" : "string",
        resolveLinks: options.getResolveLinks(),
      };
      const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
      const filter = options.hasFilter() ? eventFilterOf(options.getFilter()!) : undefined;
      if (options.hasStream()) {
        if (filter !== undefined) throw invalidArgument("Filters are only supported on $all");
        const stream = options.getStream()!;
        if (options.hasSubscription()) return subscribeToStream(context, stream);
        return readStream(context, stream, backwards, countOf(options));
      }
      const all = options.getAll();
      if (all === undefined) throw invalidArgument("Stream option was not set");
      if (options.hasSubscription()) {
        if (backwards) throw invalidArgument("Subscriptions read forwards only");
        return subscribeToAll(context, all, filter);
      }
      return readAll(context, all, backwards, countOf(options), filter);
    } catch (error) {
      call.emit("error", error);
    }
  };
}

function countOf(options: ReadReq.Options): number {
  const count = BigInt(options.getCount() || "0");
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

function send(context: ReadContext, response: ReadResp): void {
  if (!context.call.cancelled && !context.call.destroyed) context.call.write(response);
}

/** Resolves a `$>` link when asked to; a link whose target cannot be read comes back alone. */
function eventMessage(context: ReadContext, event: StoredEvent): ReadResp {
  if (!context.resolveLinks) return eventResponse(event, context.form);
  const resolution = resolveLink(context.store, event);
  if (resolution.kind === "resolved") return eventResponse(resolution.event, context.form, { link: resolution.link });
  if (resolution.kind === "event") return eventResponse(event, context.form);
  const read = eventResponse(event, context.form).getEvent()!;
  read.setLink(read.getEvent());
  read.clearEvent();
  return new streamsPb.ReadResp().setEvent(read);
}

function sendEvent(context: ReadContext, event: StoredEvent): void {
  send(context, eventMessage(context, event));
}

function readStream(context: ReadContext, options: ReadReq.Options.StreamOptions, backwards: boolean, count: number) {
  const { call, store } = context;
  const stream = streamName(options.getStreamIdentifier());
  if (store.isTombstoned(stream)) throw streamDeleted(stream);
  const events = store.readableEvents(stream);
  if (events === undefined) {
    const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(stream));
    send(context, new streamsPb.ReadResp().setStreamNotFound(notFound));
    call.end();
    return;
  }
  let selected: StoredEvent[];
  if (backwards) {
    const from = options.hasRevision() ? BigInt(options.getRevision()) : undefined;
    selected = events.filter((event) => from === undefined || event.revision <= from).reverse();
  } else {
    const from = options.hasRevision() ? BigInt(options.getRevision()) : 0n;
    selected = options.hasEnd() ? [] : events.filter((event) => event.revision >= from);
  }
  void sendAll(context, selected.slice(0, count));
}

/**
 * Streams a read's events with backpressure and stops as soon as the client cancels, so a reader
 * that takes one event of a huge `$all` does not make the server serialize all of it.
 */
async function sendAll(context: ReadContext, events: Iterable<StoredEvent>): Promise<void> {
  const { call } = context;
  let closed = false;
  const onClose = () => {
    closed = true;
  };
  call.once("cancelled", onClose);
  call.once("close", onClose);
  try {
    for (const event of events) {
      if (closed || call.cancelled || call.destroyed) return;
      if (!call.write(eventMessage(context, event))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            call.off("drain", done);
            call.off("cancelled", done);
            call.off("close", done);
            resolve();
          };
          call.on("drain", done);
          call.on("cancelled", done);
          call.on("close", done);
        });
      }
    }
    if (!closed && !call.cancelled && !call.destroyed) call.end();
  } finally {
    call.off("cancelled", onClose);
    call.off("close", onClose);
  }
}

function positionOf(options: ReadReq.Options.AllOptions): bigint | "start" | "end" {
  if (options.hasStart()) return "start";
  if (options.hasEnd()) return "end";
  const position = options.getPosition();
  if (position === undefined) throw invalidArgument("All option was not set");
  return BigInt(position.getCommitPosition());
}

function readAll(
  context: ReadContext,
  options: ReadReq.Options.AllOptions,
  backwards: boolean,
  count: number,
  filter: EventFilter | undefined,
) {
  const log = context.store.log;
  const from = positionOf(options);
  const store = context.store;
  const end = log.length;
  function* scan(): Generator<StoredEvent> {
    let sent = 0;
    if (backwards) {
      const before = from === "start" ? 0 : from === "end" ? end : store.firstIndexAtOrAfter(from);
      for (let index = Math.min(before, end) - 1; index >= 0 && sent < count; index--) {
        const event = log[index]!;
        if (filter !== undefined && !filter.matches(event)) continue;
        sent++;
        yield event;
      }
      return;
    }
    if (from === "end") return;
    const first = from === "start" ? 0 : store.firstIndexAtOrAfter(from);
    for (let index = first; index < end && sent < count; index++) {
      const event = log[index]!;
      if (filter !== undefined && !filter.matches(event)) continue;
      sent++;
      yield event;
    }
  }
  void sendAll(context, scan());
}

function confirm(context: ReadContext): void {
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
  send(context, new streamsPb.ReadResp().setConfirmation(confirmation));
}

function caughtUp(context: ReadContext): void {
  send(context, new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
}

function subscribeToStream(context: ReadContext, options: ReadReq.Options.StreamOptions): void {
  const { call, store } = context;
  const stream = streamName(options.getStreamIdentifier());
  confirm(context);
  if (store.isTombstoned(stream)) {
    call.emit("error", streamDeleted(stream));
    return;
  }
  let after = options.hasRevision() ? BigInt(options.getRevision()) : -1n;
  if (options.hasEnd()) after = store.lastEventNumber(stream);
  // History and the live registration happen in the same tick: nothing can slip in between.
  for (const event of store.readableEvents(stream) ?? []) {
    if (event.revision > after) {
      sendEvent(context, event);
      after = event.revision;
    }
  }
  caughtUp(context);
  const stop = store.onAppended((event) => {
    if (event.stream !== stream) return;
    if (event.revision === DELETED_STREAM) {
      sendEvent(context, event);
      stop();
      call.emit("error", streamDeleted(stream));
      return;
    }
    if (event.revision > after) {
      after = event.revision;
      sendEvent(context, event);
    }
  });
  call.on("cancelled", stop);
  call.on("close", stop);
}

function subscribeToAll(context: ReadContext, options: ReadReq.Options.AllOptions, filter: EventFilter | undefined): void {
  const { call, store } = context;
  const from = positionOf(options);
  confirm(context);
  let considered = 0;
  const checkpoint = (position: bigint) => {
    const message = new streamsPb.ReadResp.Checkpoint()
      .setCommitPosition(position.toString())
      .setPreparePosition(position.toString());
    send(context, new streamsPb.ReadResp().setCheckpoint(message));
  };
  const history =
    from === "end" ? [] : store.log.filter((event) => from === "start" || event.position > from);
  if (filter === undefined) {
    for (const event of history) sendEvent(context, event);
  } else {
    // Catch-up reads pages of `window` considered events; a checkpoint follows a page once the
    // considered count reaches the interval (the last page hands its count over to the live phase).
    for (let start = 0; start < history.length; start += filter.window) {
      const page = history.slice(start, start + filter.window);
      for (const event of page) if (filter.matches(event)) sendEvent(context, event);
      considered += page.length;
      const endOfStream = start + filter.window >= history.length;
      if (!endOfStream && considered >= filter.checkpointInterval) {
        considered %= filter.checkpointInterval;
        checkpoint(page.at(-1)!.position);
      }
    }
  }
  caughtUp(context);
  const stop = store.onAppended((event) => {
    if (filter === undefined) return sendEvent(context, event);
    if (filter.matches(event)) sendEvent(context, event);
    considered += 1;
    if (considered >= filter.checkpointInterval) {
      considered = 0;
      checkpoint(event.position);
    }
  });
  call.on("cancelled", stop);
  call.on("close", stop);
}

