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
import type {
  DriverDelivery,
  DriverPersistentConnection,
  PersistentDriver,
  ResolvedPersistentTarget,
  ValidPersistentSettings,
} from "../../core/driver.js";
import { ConnectionError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import type { NackAction } from "../../core/event-stream.js";
import type { Position } from "../../core/position.js";
import { translateError, type OperationContext } from "./errors.js";
import { toRecordedEvent } from "./event-mapping.js";
import { planFilter } from "./filter-mapping.js";
import { toClientPosition } from "./position-mapping.js";
import { ReadableQueue } from "./readable-queue.js";

type ClientPersistentSubscription = PersistentSubscriptionToStream | PersistentSubscriptionToAll;
type Delivered = ResolvedEvent & { retryCount: number };

/** Competing consumers over the client's persistent-subscription API, to a stream or `$all`. */
export class EventStoreDBPersistentDriver implements PersistentDriver {
  readonly #client: EventStoreDBClient;
  readonly #codecs: CodecRegistry;

  constructor(client: EventStoreDBClient, codecs: CodecRegistry) {
    this.#client = client;
    this.#codecs = codecs;
  }

  async create(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    const context = contextOf(target, group);
    if (target.kind === "stream") {
      const options = streamSettings(settings, persistentSubscriptionToStreamSettingsFromDefaults());
      await call(context, () => this.#client.createPersistentSubscriptionToStream(target.stream, group, options));
    } else {
      const options = allSettings(settings, persistentSubscriptionToAllSettingsFromDefaults());
      const server = planFilter(target.filter).server as Filter | undefined;
      await call(context, () => this.#client.createPersistentSubscriptionToAll(group, options, server ? { filter: server } : {}));
    }
  }

  async update(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    const context = contextOf(target, group);
    // ESDB's update replaces every setting: start from the group's current ones.
    if (target.kind === "stream") {
      const info = await call(context, () => this.#client.getPersistentSubscriptionToStreamInfo(target.stream, group));
      const options = streamSettings(settings, info.settings);
      await call(context, () => this.#client.updatePersistentSubscriptionToStream(target.stream, group, options));
    } else {
      const info = await call(context, () => this.#client.getPersistentSubscriptionToAllInfo(group));
      const options = allSettings(settings, info.settings);
      await call(context, () => this.#client.updatePersistentSubscriptionToAll(group, options));
    }
  }

  async delete(target: ResolvedPersistentTarget, group: string): Promise<void> {
    await call(contextOf(target, group), () =>
      target.kind === "stream"
        ? this.#client.deletePersistentSubscriptionToStream(target.stream, group)
        : this.#client.deletePersistentSubscriptionToAll(group),
    );
  }

  connect(target: ResolvedPersistentTarget, group: string, bufferSize: number, signal: AbortSignal): DriverPersistentConnection {
    const context = contextOf(target, group);
    const { accepts } = target.kind === "all" ? planFilter(target.filter) : { accepts: () => true };
    const subscription: ClientPersistentSubscription =
      target.kind === "stream"
        ? this.#client.subscribeToPersistentSubscriptionToStream(target.stream, group, { bufferSize })
        : this.#client.subscribeToPersistentSubscriptionToAll(group, { bufferSize });
    const queue = new ReadableQueue<Delivered, Delivered>(subscription, (resolvedEvent) => resolvedEvent);
    const codecs = this.#codecs;

    async function* deliveries(): AsyncGenerator<DriverDelivery> {
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
        await iterator.return(undefined);
        await subscription.unsubscribe();
      },
    };
  }
}

async function call<T>(context: OperationContext, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw translateError(error, context);
  }
}

function delivery(
  event: RecordedEvent,
  resolved: Delivered,
  subscription: ClientPersistentSubscription,
  context: OperationContext,
): DriverDelivery {
  return {
    event,
    retryCount: resolved.retryCount,
    ack: () => call(context, () => subscription.ack(resolved)),
    nack: (action: NackAction, reason: string | undefined) =>
      call(context, () => subscription.nack(action, reason ?? `nack (${action})`, resolved)),
  };
}

function contextOf(target: ResolvedPersistentTarget, group: string): OperationContext {
  return target.kind === "stream" ? { operation: "persistent", stream: target.stream, group } : { operation: "persistent", group };
}

function common<T extends PersistentSubscriptionToStreamSettings | PersistentSubscriptionToAllSettings>(
  settings: ValidPersistentSettings,
  base: T,
): T {
  return {
    ...base,
    ...(settings.maxRetryCount !== undefined ? { maxRetryCount: settings.maxRetryCount } : {}),
    ...(settings.messageTimeoutMs !== undefined ? { messageTimeout: settings.messageTimeoutMs } : {}),
  };
}

function streamSettings(
  settings: ValidPersistentSettings,
  base: PersistentSubscriptionToStreamSettings,
): PersistentSubscriptionToStreamSettings {
  const result = common(settings, base);
  const from = settings.startFrom;
  if (from === undefined) return result;
  if (from === "start") return { ...result, startFrom: START };
  if (from === "end") return { ...result, startFrom: END };
  // Core allows only a revision here for a stream group.
  return { ...result, startFrom: from as bigint };
}

function allSettings(settings: ValidPersistentSettings, base: PersistentSubscriptionToAllSettings): PersistentSubscriptionToAllSettings {
  const result = common(settings, base);
  const from = settings.startFrom;
  if (from === undefined) return result;
  if (from === "start") return { ...result, startFrom: START };
  if (from === "end") return { ...result, startFrom: END };
  // Core allows only a position of this backend here for an $all group.
  return { ...result, startFrom: toClientPosition(from as Position) };
}
