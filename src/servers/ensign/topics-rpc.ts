/** Topic management RPCs, with the real server's checks, codes and messages. */
import { status } from "@grpc/grpc-js";
import {
  ShardingStrategy,
  TopicModOperation,
  TopicState,
  toTimestamp,
  ulidFromString,
  type Deduplication,
  type PageInfo,
  type Topic,
  type TopicExistsInfo,
  type TopicMod,
  type TopicName,
  type TopicNamesPage,
  type TopicPolicy,
  type TopicStatus,
  type TopicsPage,
} from "../../adapters/ensign/wire/index.js";
import { PERMISSIONS, RpcError, notAuthorized, type Caller } from "./auth.js";
import type { EmulatorContext } from "./context.js";
import { rehashTopic, validateDeduplication } from "./dedup.js";
import { idFromBytes, idFromText, paginate, projectOf } from "./rpc.js";
import { normalizeDeduplication, type StoredTopic } from "./store.js";

export const TOPIC_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9._-]*$/;
export const MAX_TOPIC_NAME_LENGTH = 512;

const STATE_NAMES = Object.fromEntries(Object.entries(TopicState).map(([name, value]) => [value, name]));

const invalid = (details: string) => new RpcError(status.INVALID_ARGUMENT, details);
const topicNotFound = () => new RpcError(status.NOT_FOUND, "topic not found");

/** Finds a topic by id text within the caller's project (NOT_FOUND otherwise). */
function topicOfCaller(ctx: EmulatorContext, caller: Caller, idText: string): StoredTopic {
  const found = ctx.store.findById(idText);
  if (!found) throw topicNotFound();
  if (found.projectId !== projectOf(caller)) throw topicNotFound();
  return found.topic;
}

export function listTopics(request: PageInfo, caller: Caller, ctx: EmulatorContext): TopicsPage {
  if (!caller.has(PERMISSIONS.readTopics)) throw notAuthorized();
  const topics = ctx.store.listTopics(projectOf(caller));
  const { page, next } = paginate(topics, (t) => t.idText, request.page_size, request.next_page_token, ctx.nowMs(), () =>
    new RpcError(status.INTERNAL, "unable to process list topics request"),
  );
  return { topics: page.map((t) => t.topic), next_page_token: next };
}

export function createTopic(request: Topic, caller: Caller, ctx: EmulatorContext): Topic {
  if (!caller.has(PERMISSIONS.createTopics)) throw notAuthorized();
  let projectId: string;
  if (request.project_id.length === 0) {
    try {
      projectId = projectOf(caller);
    } catch {
      throw invalid("missing project id field");
    }
  } else {
    const parsed = idFromBytes(request.project_id);
    if (!parsed) throw invalid("invalid project id field");
    projectId = parsed;
  }
  if (projectId !== caller.projectId.toUpperCase()) throw notAuthorized();
  if (request.id.length > 0 && request.id.length !== 16) throw invalid("cannot parse id field");
  if (request.name === "") throw invalid("missing name field");
  if (request.name.length > MAX_TOPIC_NAME_LENGTH) throw invalid("topic name is too long");
  if (!TOPIC_NAME_PATTERN.test(request.name)) throw invalid("topic name is invalid");
  const input: Topic = {
    ...request,
    project_id: ulidFromString(projectId),
    deduplication: normalizeDeduplication(request.deduplication),
    status: TopicState.READY,
  };
  const stored = ctx.store.createTopic(projectId, input, toTimestamp(new Date(ctx.nowMs())));
  if (!stored) throw new RpcError(status.ALREADY_EXISTS, "topic name already exists in project");
  return stored.topic;
}

export function retrieveTopic(request: Topic, caller: Caller, ctx: EmulatorContext): Topic {
  if (!caller.has(PERMISSIONS.readTopics)) throw notAuthorized();
  if (request.id.length === 0) throw invalid("missing topic id field");
  const idText = idFromBytes(request.id);
  if (!idText) throw invalid("invalid topic id field");
  return topicOfCaller(ctx, caller, idText).topic;
}

export function deleteTopic(request: TopicMod, caller: Caller, ctx: EmulatorContext): TopicStatus {
  let permission: string;
  if (request.operation === TopicModOperation.ARCHIVE) permission = PERMISSIONS.editTopics;
  else if (request.operation === TopicModOperation.DESTROY) permission = PERMISSIONS.destroyTopics;
  else throw invalid("invalid operation field");
  if (!caller.has(permission)) throw notAuthorized();
  if (request.id.trim() === "") throw invalid("missing id field");
  const idText = idFromText(request.id);
  if (!idText) throw invalid("invalid id field");
  const stored = topicOfCaller(ctx, caller, idText);
  const state = stored.topic.status;
  if (state !== TopicState.READY && state !== TopicState.READONLY) {
    throw new RpcError(
      status.FAILED_PRECONDITION,
      `cannot archive or destroy a topic that is in the ${STATE_NAMES[state] ?? String(state)} state`,
    );
  }
  if (request.operation === TopicModOperation.ARCHIVE) {
    // The server flags the topic readonly; its stored status stays as it was (READY).
    ctx.store.updateTopic(stored, { ...stored.topic, readonly: true, modified: toTimestamp(new Date(ctx.nowMs())) });
    return { id: idText, state: TopicState.READONLY };
  }
  const projectId = projectOf(caller);
  // Destroy runs as a background task: data and topic are removed, the name becomes free.
  setImmediate(() => ctx.store.deleteTopic(projectId, idText));
  return { id: idText, state: TopicState.DELETING };
}

export function topicNames(request: PageInfo, caller: Caller, ctx: EmulatorContext): TopicNamesPage {
  if (!caller.hasAny(PERMISSIONS.readTopics, PERMISSIONS.publisher, PERMISSIONS.subscriber)) throw notAuthorized();
  let projectId: string;
  try {
    projectId = projectOf(caller);
  } catch {
    return { topic_names: [], next_page_token: "" };
  }
  const names = ctx.store.listTopicNames(projectId);
  const keyOf = (t: StoredTopic) => Buffer.from(t.nameHash, "base64url").toString("hex");
  const { page, next } = paginate(names, keyOf, request.page_size, request.next_page_token, ctx.nowMs(), () =>
    new RpcError(status.INTERNAL, "unable to process list topic names request"),
  );
  return {
    topic_names: page.map((t) => ({ topic_id: t.idText, project_id: projectId, name: t.nameHash })),
    next_page_token: next,
  };
}

export function topicExists(request: TopicName, caller: Caller, ctx: EmulatorContext): TopicExistsInfo {
  if (!caller.hasAny(PERMISSIONS.readTopics, PERMISSIONS.publisher, PERMISSIONS.subscriber)) throw notAuthorized();
  let projectId: string;
  if (request.project_id === "") {
    try {
      projectId = projectOf(caller);
    } catch {
      throw invalid("missing project id field");
    }
  } else {
    const parsed = idFromText(request.project_id);
    if (!parsed) throw invalid("invalid project id field");
    projectId = parsed;
  }
  if (projectId !== caller.projectId.toUpperCase()) throw notAuthorized();
  if (request.name === "" && request.topic_id === "") throw invalid("must specify either or both topic name and id");
  const nameExists = request.name !== "" && ctx.store.findByName(projectId, request.name) !== undefined;
  let idExists = false;
  if (request.topic_id !== "") {
    const idText = idFromText(request.topic_id);
    if (!idText) throw new RpcError(status.INTERNAL, "unable to process topic exists request");
    idExists = ctx.store.listTopics(projectId).some((t) => t.idText === idText);
  }
  const quote = (value: string) => JSON.stringify(value);
  if (request.name !== "" && request.topic_id !== "") {
    // As the server does: both must exist, not necessarily as the same topic.
    return { query: `name=${quote(request.name)} and topic=${quote(request.topic_id)}`, exists: nameExists && idExists };
  }
  if (request.name !== "") return { query: `name=${quote(request.name)}`, exists: nameExists };
  return { query: `topic=${quote(request.topic_id)}`, exists: idExists };
}

function sameDeduplication(a: Deduplication, b: Deduplication): boolean {
  if (a.strategy !== b.strategy || a.offset !== b.offset) return false;
  if (a.strategy === 4 || a.strategy === 5) return a.keys.join("\u0000") === b.keys.join("\u0000");
  if (a.strategy === 6) return a.fields.join("\u0000") === b.fields.join("\u0000");
  return true;
}

export function setTopicPolicy(request: TopicPolicy, caller: Caller, ctx: EmulatorContext): TopicStatus {
  if (!caller.has(PERMISSIONS.editTopics)) throw notAuthorized();
  if (request.id === "") throw invalid("missing id field");
  const requested = request.deduplication_policy;
  if ((requested?.strategy ?? 0) === 0 && request.sharding_strategy === ShardingStrategy.UNKNOWN) {
    throw invalid("no policies defined to set on topic");
  }
  const idText = idFromText(request.id);
  if (!idText) throw invalid("invalid id field");
  const stored = topicOfCaller(ctx, caller, idText);
  if (stored.topic.readonly) throw new RpcError(status.FAILED_PRECONDITION, "cannot change policies of an archived topic");
  if (stored.topic.status !== TopicState.READY) {
    throw new RpcError(
      status.FAILED_PRECONDITION,
      `cannot change a topic that is in the ${STATE_NAMES[stored.topic.status] ?? String(stored.topic.status)} state`,
    );
  }
  if (request.sharding_strategy !== ShardingStrategy.UNKNOWN) {
    throw new RpcError(status.UNIMPLEMENTED, "changing the sharding strategy of a topic is currently not supported");
  }
  const current = normalizeDeduplication(stored.topic.deduplication);
  if (sameDeduplication(current, normalizeDeduplication(requested))) return { id: idText, state: stored.topic.status };
  const problem = validateDeduplication(requested);
  if (problem) throw invalid(problem);
  const policy = normalizeDeduplication(requested);
  ctx.store.updateTopic(stored, { ...stored.topic, deduplication: policy, status: TopicState.PENDING });
  // The rehash runs as a background task, then the topic is READY again (or stays PENDING when
  // the policy cannot be applied, as with UNIQUE_FIELD, which the server does not implement).
  setImmediate(() => {
    if (!rehashTopic(stored, policy)) return;
    ctx.store.replaceEvents(stored, stored.events);
    ctx.store.updateTopic(stored, { ...stored.topic, status: TopicState.READY });
  });
  return { id: idText, state: TopicState.PENDING };
}

