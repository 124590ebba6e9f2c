import {
  END,
  START,
  persistentSubscriptionToAllSettingsFromDefaults,
  persistentSubscriptionToStreamSettingsFromDefaults,
  type EventStoreDBClient,
  type Filter,
  type PersistentSubscriptionToAll,
  type PersistentSubscriptionToStream,
  type PersistentSubscriptionToAllSettings,
  type PersistentSubscriptionToStreamSettings,
  type ResolvedEvent,
} from "@eventstore/db-client";
import type { CodecRegistry } from "../../core/codec.js";
import { ConnectionError, ValidationError } from "../../core/errors.js";
import type {
  NackAction,
  PersistentDelivery,
  PersistentSubscription,
  PersistentSubscriptionSettings,
  PersistentSubscriptions,
  PersistentTarget,
} from "../../core/event-stream.js";
import { Position } from "../../core/position.js";
import { assertStreamName } from "../../core/validation.js";
import { translateError, type OperationContext } from "./errors.js";
import { toRecordedEvent } from "./event-mapping.js";
import { planFilter } from "./filter-mapping.js";
import { toClientPosition } from "./position-mapping.js";
import { ReadableQueue } from "./readable-queue.js";

type ResolvedPersistentTarget = { kind: "stream"; stream: string } | { kind: "all"; filter: PersistentTargetFilter };
type PersistentTargetFilter = Extract<PersistentTarget, { all: true }>["filter"];

/** Competing consumers over the client's persistent-subscription API, to a stream or `$all`. */
export class EventStoreDBPersistentSubscriptions implements PersistentSubscriptions {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly codecs: CodecRegistry,
    private readonly closing: AbortSignal,
    private readonly assertOpen: () => void,
  ) {}

  async create(target: PersistentTarget, group: string, settings: PersistentSubscriptionSettings = {}): Promise<void> {
    this.assertOpen();
    const resolved = resolvePersistentTarget(target, group);
    const context = contextOf(resolved, group);
    if (resolved.kind === "stream") {
      const options = streamSettings(settings, persistentSubscriptionToStreamSettingsFromDefaults());
      await this.#call(context, () => this.client.createPersistentSubscriptionToStream(resolved.stream, group, options));
    } else {
      const options = allSettings(settings, persistentSubscriptionToAllSettingsFromDefaults());
      const server = planFilter(resolved.filter).server as Filter | undefined;
      await this.#call(context, () =>
        this.client.createPersistentSubscriptionToAll(group, options, server ? { filter: server } : {}),
      );
    }
  }

  async update(target: PersistentTarget, group: string, settings: PersistentSubscriptionSettings): Promise<void> {
    this.assertOpen();
    const resolved = resolvePersistentTarget(target, group);
    const context = contextOf(resolved, group);
    validateSettings(settings);
    // ESDB's update replaces every setting: start from the group's current ones.
    if (resolved.kind === "stream") {
      const info = await this.#call(context, () => this.client.getPersistentSubscriptionToStreamInfo(resolved.stream, group));
      const options = streamSettings(settings, info.settings);
      await this.#call(context, () => this.client.updatePersistentSubscriptionToStream(resolved.stream, group, options));
    } else {
      const info = await this.#call(context, () => this.client.getPersistentSubscriptionToAllInfo(group));
      const options = allSettings(settings, info.settings);
      await this.#call(context, () => this.client.updatePersistentSubscriptionToAll(group, options));
    }
  }

  async delete(target: PersistentTarget, group: string): Promise<void> {
    this.assertOpen();
    const resolved = resolvePersistentTarget(target, group);
    const context = contextOf(resolved, group);
    await this.#call(context, () =>
      resolved.kind === "stream"
        ? this.client.deletePersistentSubscriptionToStream(resolved.stream, group)
        : this.client.deletePersistentSubscriptionToAll(group),
    );
  }

  connect(target: PersistentTarget, group: string, options: { bufferSize?: number } = {}): PersistentSubscription {
    this.assertOpen();
    const resolved = resolvePersistentTarget(target, group);
    const context = contextOf(resolved, group);
    const bufferSize = options.bufferSize ?? 10;
    if (!Number.isSafeInteger(bufferSize) || bufferSize <= 0) {
      throw new ValidationError("bufferSize must be a positive integer", "bufferSize");
    }
    const { accepts } = resolved.kind === "all" ? planFilter(resolved.filter) : { accepts: () => true };
    const subscription: PersistentSubscriptionToStream | PersistentSubscriptionToAll =
      resolved.kind === "stream"
        ? this.client.subscribeToPersistentSubscriptionToStream(resolved.stream, group, { bufferSize })
        : this.client.subscribeToPersistentSubscriptionToAll(group, { bufferSize });
    type Delivered = ResolvedEvent & { retryCount: number };
    const queue = new ReadableQueue<Delivered, Delivered>(subscription, (resolvedEvent) => resolvedEvent);
    const codecs = this.codecs;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, this.closing]);

    async function* deliveries(): AsyncGenerator<PersistentDelivery> {
      for await (const resolvedEvent of queue.iterate(signal, (error) => translateError(error, context))) {
        if (!resolvedEvent.event) {
          // A link to a deleted event: nothing to deliver, settle it so it is not retried.
          await subscription.ack(resolvedEvent);
          continue;
        }
        const event = toRecordedEvent(resolvedEvent.event, codecs);
        if (!accepts(event)) {
          await subscription.ack(resolvedEvent); // filtered on the client (see filter-mapping.ts)
          continue;
        }
        yield delivery(event, resolvedEvent, subscription, context);
      }
      // The server ended the call without an error (e.g. shutdown): the caller reconnects.
      if (!signal.aborted) throw new ConnectionError(`Persistent subscription "${group}" was ended by the server`);
    }
    const iterator = deliveries();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        stop.abort();
        await iterator.return(undefined);
        await subscription.unsubscribe();
      },
    };
  }

  async #call<T>(context: OperationContext, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw translateError(error, context);
    }
  }
}

function delivery(
  event: PersistentDelivery["event"],
  resolved: ResolvedEvent & { retryCount: number },
  subscription: PersistentSubscriptionToStream | PersistentSubscriptionToAll,
  context: OperationContext,
): PersistentDelivery {
  return {
    event,
    retryCount: resolved.retryCount,
    ack: async () => {
      try {
        await subscription.ack(resolved);
      } catch (error) {
        throw translateError(error, context);
      }
    },
    nack: async (action: NackAction, reason?: string) => {
      if (action !== "park" && action !== "retry" && action !== "skip") {
        throw new ValidationError(`nack action must be "park", "retry" or "skip"`, "action");
      }
      try {
        await subscription.nack(action, reason ?? `nack (${action})`, resolved);
      } catch (error) {
        throw translateError(error, context);
      }
    },
  };
}

function resolvePersistentTarget(target: PersistentTarget, group: string): ResolvedPersistentTarget {
  if (typeof group !== "string" || group.length === 0) throw new ValidationError("group must be a non-empty string", "group");
  if (typeof target === "object" && target !== null && "stream" in target) {
    assertStreamName(target.stream, "target.stream");
    return { kind: "stream", stream: target.stream };
  }
  if (typeof target === "object" && target !== null && "all" in target && target.all === true) {
    planFilter(target.filter); // refuse a malformed filter before calling the server
    return { kind: "all", filter: target.filter };
  }
  throw new ValidationError("A persistent subscription target is {stream} or {all: true}", "target");
}

function contextOf(target: ResolvedPersistentTarget, group: string): OperationContext {
  return target.kind === "stream" ? { operation: "persistent", stream: target.stream, group } : { operation: "persistent", group };
}

function validateSettings(settings: PersistentSubscriptionSettings): void {
  if (typeof settings !== "object" || settings === null) throw new ValidationError("settings must be an object", "settings");
  for (const key of ["maxRetryCount", "messageTimeoutMs"] as const) {
    const value = settings[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new ValidationError(`${key} must be a non-negative integer`, key);
    }
  }
}

function common<T extends PersistentSubscriptionToStreamSettings | PersistentSubscriptionToAllSettings>(
  settings: PersistentSubscriptionSettings,
  base: T,
): T {
  validateSettings(settings);
  return {
    ...base,
    ...(settings.maxRetryCount !== undefined ? { maxRetryCount: settings.maxRetryCount } : {}),
    ...(settings.messageTimeoutMs !== undefined ? { messageTimeout: settings.messageTimeoutMs } : {}),
  };
}

function streamSettings(
  settings: PersistentSubscriptionSettings,
  base: PersistentSubscriptionToStreamSettings,
): PersistentSubscriptionToStreamSettings {
  const result = common(settings, base);
  const from = settings.startFrom;
  if (from === undefined) return result;
  if (from === "start") return { ...result, startFrom: START };
  if (from === "end") return { ...result, startFrom: END };
  if (typeof from === "bigint" && from >= 0n) return { ...result, startFrom: from };
  throw new ValidationError('A stream group starts from "start", "end" or a non-negative bigint revision', "startFrom");
}

function allSettings(
  settings: PersistentSubscriptionSettings,
  base: PersistentSubscriptionToAllSettings,
): PersistentSubscriptionToAllSettings {
  const result = common(settings, base);
  const from = settings.startFrom;
  if (from === undefined) return result;
  if (from === "start") return { ...result, startFrom: START };
  if (from === "end") return { ...result, startFrom: END };
  if (typeof from === "string" || from instanceof Position) return { ...result, startFrom: toClientPosition(from) };
  throw new ValidationError('An $all group starts from "start", "end" or a Position', "startFrom");
}
