/** Publish and Subscribe: the bidi streams, with the real server's handshake and checks. */
import { status, type ServerDuplexStream } from "@grpc/grpc-js";
import {
  NackCode,
  isUlidString,
  toTimestamp,
  ulidToString,
  type EventWrapper,
  type PublisherReply,
  type PublisherRequest,
  type Publisher,
  type SubscribeReply,
  type SubscribeRequest,
} from "../../adapters/ensign/wire/index.js";
import { PERMISSIONS, RpcError, authenticate, notAuthorized, type Caller } from "./auth.js";
import type { EmulatorContext } from "./context.js";
import { RequestReader } from "./request-reader.js";
import type { TopicGroup } from "./store.js";

/** Default Nack.error text per code (the server's codes.go wording). */
export const NACK_MESSAGES: Readonly<Record<number, string>> = {
  [NackCode.MAX_EVENT_SIZE_EXCEEDED]: "maximum event size has been exceeded",
  [NackCode.TOPIC_UNKNOWN]: "topic unknown or unhandled",
  [NackCode.TOPIC_ARCHIVED]: "cannot publish to an archived topic",
  [NackCode.TOPIC_DELETED]: "topic is currently being deleted",
  [NackCode.PERMISSION_DENIED]: "not authorized to perform this action",
  [NackCode.CONSENSUS_FAILURE]: "could not commit event, please try again",
  [NackCode.SHARDING_FAILURE]: "wrong node for event sharding policy, please try again",
  [NackCode.REDIRECT]: "redirect to correct node",
  [NackCode.INTERNAL]: "internal error, please wait and try again",
};

type Duplex<Req, Res> = ServerDuplexStream<Req, Res>;

function fail(call: { emit(event: "error", value: unknown): boolean }, error: unknown): void {
  const rpc = error instanceof RpcError ? error : new RpcError(status.INTERNAL, "internal error");
  call.emit("error", rpc.toStatus());
}

/** Authorizes the stream and snapshots the project's topics (both streams start this way). */
function openStream(ctx: EmulatorContext, call: Duplex<unknown, unknown>, permission: string): { caller: Caller; allowed: TopicGroup } {
  if (ctx.maintenance) throw new RpcError(status.UNAVAILABLE, "the Ensign server is currently in maintenance mode");
  const caller = authenticate(call.metadata, ctx.tokens, ctx.audience);
  if (!caller.has(permission)) throw notAuthorized();
  if (!isUlidString(caller.projectId)) throw notAuthorized();
  const allowed = ctx.store.allowedTopics(caller.projectId.toUpperCase());
  if (allowed.size === 0) throw new RpcError(status.FAILED_PRECONDITION, "no topics available");
  return { caller, allowed };
}

export async function handlePublish(ctx: EmulatorContext, call: Duplex<PublisherRequest, PublisherReply>): Promise<void> {
  const reader = new RequestReader<PublisherRequest>(call);
  let streamError: RpcError | undefined;
  let caller: Caller;
  let allowed: TopicGroup;
  try {
    ({ caller, allowed } = openStream(ctx, call, PERMISSIONS.publisher));
    const first = await reader.next();
    if (!first) return void call.end();
    if (!first.open_stream) {
      throw new RpcError(status.FAILED_PRECONDITION, "an open stream message must be sent immediately after opening the stream");
    }
    if (first.open_stream.topics.length > 0) {
      allowed = allowed.filter(first.open_stream.topics);
      if (allowed.size === 0) throw new RpcError(status.FAILED_PRECONDITION, "no topics available");
    }
    const publisher: Publisher = {
      publisher_id: caller.claims.sub,
      ipaddr: call.getPeer(),
      client_id: first.open_stream.client_id,
      user_agent: call.metadata.get("user-agent").map(String).join(","),
    };
    call.write({
      ready: {
        client_id: publisher.client_id || publisher.publisher_id,
        server_id: ctx.serverId,
        topics: allowed.topicMap(),
      },
    });
    await publishLoop(ctx, call, reader, allowed, publisher);
  } catch (error) {
    streamError = error instanceof RpcError ? error : undefined;
    if (!streamError && !call.cancelled) streamError = new RpcError(status.ABORTED, "could not recv event from client");
  }
  if (streamError && !call.cancelled) fail(call, streamError);
}

async function publishLoop(
  ctx: EmulatorContext,
  call: Duplex<PublisherRequest, PublisherReply>,
  reader: RequestReader<PublisherRequest>,
  allowed: TopicGroup,
  publisher: Publisher,
): Promise<void> {
  let events = 0;
  let acks = 0;
  let nacks = 0;
  const publishedTo = new Set<string>();
  const nack = (localId: Uint8Array, code: number, message = "") => {
    nacks++;
    call.write({ nack: { id: localId, code, error: message || (NACK_MESSAGES[code] ?? "unknown error") } });
  };
  const closeStream = () =>
    call.write({ close_stream: { events: String(events), topics: String(publishedTo.size), acks: String(acks), nacks: String(nacks) } });

  for (;;) {
    let request: PublisherRequest | undefined;
    try {
      request = await reader.next();
    } catch {
      return; // cancelled by the client: nothing more can be sent
    }
    if (!request) break;
    if (request.open_stream) {
      closeStream();
      throw new RpcError(status.ABORTED, "cannot send multiple open stream messages");
    }
    if (!request.event) {
      closeStream();
      throw new RpcError(status.FAILED_PRECONDITION, "unhandled publisher request message <nil>");
    }
    const event = request.event;
    if (event.topic_id.length === 0) {
      nack(event.local_id, NackCode.TOPIC_UNKNOWN, "no topic id specified");
      continue;
    }
    if (event.topic_id.length !== 16) {
      nack(event.local_id, NackCode.TOPIC_UNKNOWN, "invalid topic id");
      continue;
    }
    const topicIdText = ulidToString(event.topic_id);
    if (!allowed.hasId(topicIdText)) {
      nack(event.local_id, NackCode.TOPIC_UNKNOWN);
      continue;
    }
    if (event.event.length > ctx.maxEventBytes) {
      nack(event.local_id, NackCode.MAX_EVENT_SIZE_EXCEEDED);
      continue;
    }
    events++;
    publishedTo.add(topicIdText);
    const stored = commit(ctx, topicIdText, event, publisher);
    if (stored) {
      acks++;
      call.write({ ack: { id: event.local_id, committed: stored.committed } });
    } else {
      nack(event.local_id, NackCode.INTERNAL);
    }
  }
  closeStream();
  call.end();
}

/**
 * The broker's commit: mint the RLID, store the wrapper without local_id (and, as the real
 * broker does, before `committed` is stamped, so stored events carry no commit time), then stamp
 * `committed` on the copy that fans out to subscribers.
 */
function commit(
  ctx: EmulatorContext,
  topicIdText: string,
  event: EventWrapper,
  publisher: Publisher,
): { committed: ReturnType<typeof toTimestamp> } | undefined {
  const found = ctx.store.findById(topicIdText);
  if (!found) return undefined; // destroyed after the stream opened: the store write fails
  const id = ctx.store.nextEventId(ctx.nowMs());
  const stored: EventWrapper = { ...event, id, publisher, local_id: new Uint8Array(0), committed: null };
  ctx.store.append(found.topic, stored);
  const committed = toTimestamp(new Date(ctx.nowMs()));
  ctx.broker.fanOut(topicIdText, { ...stored, committed });
  return { committed };
}

export async function handleSubscribe(
  ctx: EmulatorContext,
  call: Duplex<SubscribeRequest, SubscribeReply>,
  capacity: number,
): Promise<void> {
  const reader = new RequestReader<SubscribeRequest>(call);
  let subscriber: ReturnType<EmulatorContext["broker"]["register"]> | undefined;
  try {
    let { allowed } = openStream(ctx, call, PERMISSIONS.subscriber);
    const first = await reader.next();
    if (!first) return void call.end();
    if (!first.subscription) {
      throw new RpcError(status.FAILED_PRECONDITION, "must send subscription to initialize stream");
    }
    if (first.subscription.topics.length > 0) {
      allowed = allowed.filter(first.subscription.topics);
      if (allowed.size === 0) throw new RpcError(status.FAILED_PRECONDITION, "no topics available");
    }
    call.write({
      ready: { client_id: first.subscription.client_id, server_id: ctx.serverId, topics: allowed.topicMap() },
    });
    subscriber = ctx.broker.register(call, new Set(allowed.byId.keys()), capacity);
    const registered = subscriber;
    call.on("cancelled", () => ctx.broker.unregister(registered));
    for (;;) {
      const request = await reader.next();
      // The real server's send loop ends only when the call's context does: a client that
      // half-closes keeps receiving events until it cancels the call.
      if (!request) return;
      if (request.ack) subscriber.acks++;
      else if (request.nack) subscriber.nacks++;
    }
  } catch (error) {
    // A subscriber already closed was ended by the broker (dropAll): its status is sent.
    const alreadyEnded = subscriber?.closed === true;
    if (subscriber) ctx.broker.unregister(subscriber);
    if (alreadyEnded || call.cancelled) return;
    fail(call, error instanceof RpcError ? error : new RpcError(status.ABORTED, "subscribe stream crashed"));
  }
}
