/** Info (project/topic statistics), Status and the standard health service. */
import { status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from "@grpc/grpc-js";
import {
  HealthServingStatus,
  ServiceStatus,
  decodeEvent,
  toTimestamp,
  ulidFromString,
  type EventTypeInfo,
  type HealthCheck,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type InfoRequest,
  type ProjectInfo,
  type ServiceState,
  type TopicInfo,
} from "../../adapters/ensign/wire/index.js";
import { PERMISSIONS, RpcError, notAuthorized, type Caller } from "./auth.js";
import type { EmulatorContext } from "./context.js";
import { idFromBytes, projectOf } from "./rpc.js";
import type { StoredTopic } from "./store.js";

/** Topic statistics computed from the log (the server keeps them in a background-updated record). */
function topicInfo(topic: StoredTopic): TopicInfo {
  const types = new Map<string, EventTypeInfo>();
  let events = 0;
  let duplicates = 0;
  let size = 0;
  for (const wrapper of topic.events) {
    if (wrapper.is_duplicate) {
      duplicates++;
      continue;
    }
    events++;
    size += wrapper.event.length;
    const event = decodeEvent(wrapper.event);
    const key = JSON.stringify([event.type, event.mimetype]);
    const entry = types.get(key) ?? {
      type: event.type,
      mimetype: event.mimetype,
      events: "0",
      duplicates: "0",
      data_size_bytes: "0",
      modified: null,
    };
    entry.events = String(Number(entry.events) + 1);
    entry.data_size_bytes = String(Number(entry.data_size_bytes) + wrapper.event.length);
    types.set(key, entry);
  }
  const last = topic.events[topic.events.length - 1];
  return {
    topic_id: topic.topic.id,
    project_id: topic.topic.project_id,
    event_offset_id: last ? last.id : new Uint8Array(0),
    events: String(events),
    duplicates: String(duplicates),
    data_size_bytes: String(size),
    types: [...types.values()],
    modified: topic.topic.modified,
  };
}

export function info(request: InfoRequest, caller: Caller, ctx: EmulatorContext): ProjectInfo {
  if (!caller.has(PERMISSIONS.readTopics) || !caller.has(PERMISSIONS.readMetrics)) throw notAuthorized();
  const projectId = projectOf(caller);
  let include: ((idText: string) => boolean) | undefined;
  if (request.topics.length > 0) {
    const wanted = new Set<string>();
    for (const id of request.topics) {
      const idText = idFromBytes(id);
      if (!idText) throw new RpcError(status.INVALID_ARGUMENT, "could not parse topic id in info request filter");
      wanted.add(idText);
    }
    include = (idText) => wanted.has(idText);
  }
  const out: ProjectInfo = {
    project_id: ulidFromString(projectId),
    num_topics: "0",
    num_readonly_topics: "0",
    events: "0",
    duplicates: "0",
    data_size_bytes: "0",
    topics: [],
  };
  let numTopics = 0;
  let readonly = 0;
  let events = 0;
  let duplicates = 0;
  let size = 0;
  for (const topic of ctx.store.listTopics(projectId)) {
    if (include && !include(topic.idText)) continue;
    numTopics++;
    if (topic.topic.readonly) readonly++;
    const stats = topicInfo(topic);
    out.topics.push(stats);
    events += Number(stats.events);
    duplicates += Number(stats.duplicates);
    size += Number(stats.data_size_bytes);
  }
  return {
    ...out,
    num_topics: String(numTopics),
    num_readonly_topics: String(readonly),
    events: String(events),
    duplicates: String(duplicates),
    data_size_bytes: String(size),
  };
}

/** Status is public: no token needed, answers even in maintenance mode. */
export function statusHandler(ctx: () => EmulatorContext) {
  return (_call: ServerUnaryCall<HealthCheck, ServiceState>, callback: sendUnaryData<ServiceState>) => {
    const context = ctx();
    const now = context.nowMs();
    const uptimeMs = Math.max(0, Date.now() - context.startedAt);
    callback(null, {
      status: context.maintenance ? ServiceStatus.MAINTENANCE : ServiceStatus.HEALTHY,
      version: context.version,
      uptime: { seconds: String(Math.floor(uptimeMs / 1000)), nanos: (uptimeMs % 1000) * 1_000_000 },
      not_before: toTimestamp(new Date(now + 60_000)),
      not_after: toTimestamp(new Date(now + 3_600_000)),
    });
  };
}

const KNOWN_SERVICES = new Set(["", "ensign.v1beta1.Ensign"]);

function servingStatus(ctx: EmulatorContext): number {
  return ctx.maintenance ? HealthServingStatus.NOT_SERVING : HealthServingStatus.SERVING;
}

/** grpc.health.v1.Health/Check (public). */
export function healthCheck(ctx: () => EmulatorContext) {
  return (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
    if (!KNOWN_SERVICES.has(call.request.service)) {
      callback({ code: status.NOT_FOUND, details: "unknown service" });
      return;
    }
    callback(null, { status: servingStatus(ctx()) });
  };
}

/** grpc.health.v1.Health/Watch (public): the current status, then open until cancelled. */
export function healthWatch(ctx: () => EmulatorContext) {
  return (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
    const known = KNOWN_SERVICES.has(call.request.service);
    call.write({ status: known ? servingStatus(ctx()) : HealthServingStatus.SERVICE_UNKNOWN });
  };
}
