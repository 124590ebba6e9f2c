// The PersistentSubscriptions service: Create, Update, Delete, Read (bidi: options, then acks and
// nacks), GetInfo, List, ReplayParked, RestartSubsystem. Groups live in memory next to the store.
import { randomUUID } from "node:crypto";
import type { ServerDuplexStream, ServerUnaryCall, ServiceError, sendUnaryData } from "@grpc/grpc-js";
import type * as pb from "@eventstore/db-client/generated/persistent_pb";
import type { Empty } from "@eventstore/db-client/generated/shared_pb";
import type { Authenticator } from "./auth.js";
import {
  invalidArgument,
  maximumSubscribersReached,
  persistentSubscriptionDoesNotExist,
  persistentSubscriptionDropped,
  persistentSubscriptionExists,
} from "./errors.js";
import { eventFilterOf } from "./filter.js";
import { PersistentGroup, type Consumer, type ConsumerStrategy, type GroupSettings, type NackAction, type StartFrom } from "./persistent-group.js";
import { persistentPb, sharedPb } from "./proto.js";
import type { EventStore } from "./store.js";
import { fillRecordedEvent, parseUuid, streamName } from "./wire.js";
import { ResponseTimes } from "./response-times.js";

const UINT64_MAX = "18446744073709551615";
const STRATEGIES: Record<number, ConsumerStrategy> = { 0: "DispatchToSingle", 1: "RoundRobin", 2: "Pinned" };

export class PersistentSubscriptions {
  readonly groups = new Map<string, PersistentGroup>();
  constructor(readonly store: EventStore) {
    store.onAppended(() => this.#pumpAll(), { survivesStop: true });
  }

  group(source: string, name: string): PersistentGroup | undefined {
    return this.groups.get(`${source}::${name}`);
  }

  #pumpAll(): void {
    for (const group of this.groups.values()) group.pump();
  }

  /** After a forced shutdown: every consumer is gone, unacked events go back to the retry queue. */
  disconnectAll(): void {
    for (const group of this.groups.values()) for (const consumer of [...group.consumers]) group.disconnect(consumer);
  }
}

interface SettingsMessage {
  getResolveLinks(): boolean;
  getExtraStatistics(): boolean;
  getMaxRetryCount(): number;
  getMinCheckpointCount(): number;
  getMaxCheckpointCount(): number;
  getMaxSubscriberCount(): number;
  getLiveBufferSize(): number;
  getReadBatchSize(): number;
  getHistoryBufferSize(): number;
  getNamedConsumerStrategy(): number;
  getConsumerStrategy?(): string;
  hasMessageTimeoutMs(): boolean;
  getMessageTimeoutMs(): number;
  getMessageTimeoutTicks(): string;
  hasCheckpointAfterMs(): boolean;
  getCheckpointAfterMs(): number;
  getCheckpointAfterTicks(): string;
  getRevision(): string;
}

interface SourceOptions {
  hasStreamIdentifier(): boolean;
  getStreamIdentifier(): Parameters<typeof streamName>[0];
  hasStream(): boolean;
  getStream(): pb.CreateReq.StreamOptions | pb.UpdateReq.StreamOptions | undefined;
  hasAll(): boolean;
  getAll(): pb.CreateReq.AllOptions | pb.UpdateReq.AllOptions | undefined;
  getGroupName(): string;
  getSettings(): SettingsMessage | undefined;
}

function parseSource(options: SourceOptions): { source: string; settings: GroupSettings } {
  const raw = options.getSettings();
  if (raw === undefined) throw invalidArgument("Settings were not sent");
  let source: string;
  let startFrom: StartFrom;
  let filter: GroupSettings["filter"];
  const all = options.getAll();
  const stream = options.getStream();
  if (options.hasAll() && all !== undefined) {
    source = "$all";
    startFrom = all.hasStart() ? "start" : all.hasEnd() ? "end" : BigInt(all.getPosition()?.getCommitPosition() ?? "0");
    const filterOptions = "getFilter" in all ? all.getFilter() : undefined;
    if (filterOptions !== undefined) filter = eventFilterOf(filterOptions);
  } else if (options.hasStream() && stream !== undefined) {
    source = streamName(stream.getStreamIdentifier());
    startFrom = stream.hasStart() ? "start" : stream.hasEnd() ? "end" : BigInt(stream.getRevision());
  } else if (options.hasStreamIdentifier()) {
    source = streamName(options.getStreamIdentifier());
    const revision = raw.getRevision();
    startFrom = revision === UINT64_MAX ? "end" : revision === "0" ? "start" : BigInt(revision);
  } else {
    throw invalidArgument("Stream option was not set");
  }
  const named = raw.getConsumerStrategy?.() ?? "";
  const ticksToMs = (ticks: string) => Number(BigInt(ticks || "0") / 10_000n);
  return {
    source,
    settings: {
      resolveLinks: raw.getResolveLinks(),
      extraStatistics: raw.getExtraStatistics(),
      messageTimeoutMs: raw.hasMessageTimeoutMs() ? raw.getMessageTimeoutMs() : ticksToMs(raw.getMessageTimeoutTicks()),
      checkpointAfterMs: raw.hasCheckpointAfterMs() ? raw.getCheckpointAfterMs() : ticksToMs(raw.getCheckpointAfterTicks()),
      maxRetryCount: raw.getMaxRetryCount(),
      minCheckpointCount: raw.getMinCheckpointCount(),
      maxCheckpointCount: raw.getMaxCheckpointCount(),
      maxSubscriberCount: raw.getMaxSubscriberCount(),
      liveBufferSize: raw.getLiveBufferSize(),
      readBatchSize: raw.getReadBatchSize(),
      historyBufferSize: raw.getHistoryBufferSize(),
      strategy: (named !== "" ? named : STRATEGIES[raw.getNamedConsumerStrategy()]) as ConsumerStrategy,
      startFrom,
      filter,
    },
  };
}

function sourceOf(options: { hasAll(): boolean; getStreamIdentifier(): Parameters<typeof streamName>[0] }): string {
  return options.hasAll() ? "$all" : streamName(options.getStreamIdentifier());
}

type Callback<T> = sendUnaryData<T>;

function guarded<Req, Res>(
  auth: Authenticator,
  body: (request: Req, call: ServerUnaryCall<Req, Res>) => Res,
): (call: ServerUnaryCall<Req, Res>, callback: Callback<Res>) => void {
  return (call, callback) => {
    const denied = auth.authorize(call.metadata);
    if (denied !== undefined) return callback(denied);
    try {
      callback(null, body(call.request, call));
    } catch (error) {
      callback(error as ServiceError);
    }
  };
}

export function persistentSubscriptionHandlers(registry: PersistentSubscriptions, auth: Authenticator) {
  const subscriptions = () => registry;
  const store = () => registry.store;
  const existing = (source: string, name: string): PersistentGroup => {
    const group = subscriptions().group(source, name);
    if (group === undefined) throw persistentSubscriptionDoesNotExist(source, name);
    return group;
  };
  return {
    create: guarded<pb.CreateReq, pb.CreateResp>(auth, (request) => {
      const options = request.getOptions();
      if (options === undefined) throw invalidArgument("Options were not sent");
      const { source, settings } = parseSource(options);
      const name = options.getGroupName();
      if (subscriptions().group(source, name) !== undefined) throw persistentSubscriptionExists(source, name);
      subscriptions().groups.set(`${source}::${name}`, new PersistentGroup(source, name, settings, store()));
      writeConfig(subscriptions());
      return new persistentPb.CreateResp();
    }),

    update: guarded<pb.UpdateReq, pb.UpdateResp>(auth, (request) => {
      const options = request.getOptions();
      if (options === undefined) throw invalidArgument("Options were not sent");
      const { source, settings } = parseSource(options);
      const group = existing(source, options.getGroupName());
      group.update(settings);
      group.dropAll(persistentSubscriptionDropped(source, group.name));
      writeConfig(subscriptions());
      return new persistentPb.UpdateResp();
    }),

    delete: guarded<pb.DeleteReq, pb.DeleteResp>(auth, (request) => {
      const options = request.getOptions();
      if (options === undefined) throw invalidArgument("Options were not sent");
      const source = sourceOf(options);
      const group = existing(source, options.getGroupName());
      subscriptions().groups.delete(`${source}::${group.name}`);
      group.dropAll(persistentSubscriptionDropped(source, group.name));
      group.close();
      writeConfig(subscriptions());
      return new persistentPb.DeleteResp();
    }),

    getInfo: guarded<pb.GetInfoReq, pb.GetInfoResp>(auth, (request) => {
      const options = request.getOptions();
      if (options === undefined) throw invalidArgument("Options were not sent");
      const group = existing(sourceOf(options), options.getGroupName());
      return new persistentPb.GetInfoResp().setSubscriptionInfo(subscriptionInfo(group));
    }),

    list: guarded<pb.ListReq, pb.ListResp>(auth, (request) => {
      const options = request.getOptions();
      const forStream = options?.getListForStream();
      const all = [...subscriptions().groups.values()];
      if (forStream === undefined) return new persistentPb.ListResp().setSubscriptionsList(all.map(subscriptionInfo));
      const source = forStream.hasAll() ? "$all" : streamName(forStream.getStream());
      const groups = all.filter((group) => group.source === source);
      if (groups.length === 0) throw persistentSubscriptionDoesNotExist(source, "");
      return new persistentPb.ListResp().setSubscriptionsList(groups.map(subscriptionInfo));
    }),

    replayParked: guarded<pb.ReplayParkedReq, pb.ReplayParkedResp>(auth, (request) => {
      const options = request.getOptions();
      if (options === undefined) throw invalidArgument("Options were not sent");
      const group = existing(sourceOf(options), options.getGroupName());
      group.replayParked(options.hasStopAt() ? Number(options.getStopAt()) : undefined);
      return new persistentPb.ReplayParkedResp();
    }),

    restartSubsystem: guarded<Empty, Empty>(auth, () => {
      for (const group of subscriptions().groups.values()) {
        group.dropAll(persistentSubscriptionDropped(group.source, group.name));
      }
      return new sharedPb.Empty();
    }),

    read(call: ServerDuplexStream<pb.ReadReq, pb.ReadResp>): void {
      const denied = auth.authorize(call.metadata);
      if (denied !== undefined) {
        call.emit("error", denied);
        return;
      }
      let group: PersistentGroup | undefined;
      let consumer: Consumer | undefined;
      const leave = () => {
        if (group !== undefined && consumer !== undefined) group.disconnect(consumer);
        consumer = undefined;
      };
      call.on("data", (request: pb.ReadReq) => {
        try {
          const options = request.getOptions();
          if (options !== undefined && consumer === undefined) {
            const source = sourceOf(options);
            const found = existing(source, options.getGroupName());
            if (found.isFull()) throw maximumSubscribersReached(source, found.name);
            group = found;
            const form = options.getUuidOption()?.hasStructured() === true ? "structured" : "string";
            consumer = {
              id: randomUUID(),
              bufferSize: Math.max(1, options.getBufferSize()),
              connectionName: String(call.metadata.get("connection-name")[0] ?? ""),
              from: call.getPeer(),
              username: "admin",
              inFlight: 0,
              totalItems: 0,
              lastTotalItems: 0,
              responseTimes: found.settings.extraStatistics ? new ResponseTimes() : undefined,
              send(delivery) {
                const read = new persistentPb.ReadResp.ReadEvent();
                const recorded = fillRecordedEvent(new persistentPb.ReadResp.ReadEvent.RecordedEvent(), delivery.event, form);
                if (delivery.linkOnly === true) read.setLink(recorded);
                else read.setEvent(recorded);
                if (delivery.link !== undefined) {
                  read.setLink(fillRecordedEvent(new persistentPb.ReadResp.ReadEvent.RecordedEvent(), delivery.link, form));
                  // PersistentSubscriptions.Read gives both records the position of the original (the link).
                  const position = delivery.link.position.toString();
                  recorded.setCommitPosition(position);
                  recorded.setPreparePosition(position);
                }
                read.setCommitPosition((delivery.link ?? delivery.event).position.toString());
                read.setRetryCount(delivery.retryCount);
                if (!call.cancelled && !call.destroyed) call.write(new persistentPb.ReadResp().setEvent(read));
              },
              drop(error) {
                if (!call.cancelled && !call.destroyed) call.emit("error", error);
              },
            };
            const confirmation = new persistentPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(
              `${source}::${found.name}`,
            );
            call.write(new persistentPb.ReadResp().setSubscriptionConfirmation(confirmation));
            found.connect(consumer);
            return;
          }
          if (group === undefined) return;
          const ack = request.getAck();
          if (ack !== undefined) return group.ack(ack.getIdsList().map((id) => parseUuid(id)));
          const nack = request.getNack();
          if (nack !== undefined) {
            group.nack(nack.getIdsList().map((id) => parseUuid(id)), nackAction(nack.getAction()), nack.getReason());
          }
        } catch (error) {
          leave();
          call.emit("error", error);
        }
      });
      call.on("cancelled", leave);
      call.on("error", leave);
      call.on("close", leave);
      call.on("end", () => {
        leave();
        call.end();
      });
    },
  };
}

function nackAction(action: pb.ReadReq.Nack.Action): NackAction {
  const actions: Record<number, NackAction> = { 1: "park", 2: "retry", 3: "skip", 4: "stop" };
  return actions[action] ?? "unknown";
}

function startFromText(group: PersistentGroup): string {
  const start = group.settings.startFrom;
  if (group.source === "$all") {
    if (start === "start") return "C:0/P:0";
    if (start === "end") return "C:-1/P:-1";
    return `C:${start}/P:${start}`;
  }
  if (start === "start") return "0";
  if (start === "end") return "-1";
  return start.toString();
}

function positionText(group: PersistentGroup, event: { revision: bigint; position: bigint } | undefined): string {
  if (event === undefined) return "";
  return group.source === "$all" ? `C:${event.position}/P:${event.position}` : event.revision.toString();
}

function subscriptionInfo(group: PersistentGroup): pb.SubscriptionInfo {
  const { settings } = group;
  const statistics = group.takeStatistics();
  const info = new persistentPb.SubscriptionInfo()
    .setEventSource(group.source)
    .setGroupName(group.name)
    .setStatus("Live")
    .setAveragePerSecond(statistics.averagePerSecond)
    .setTotalItems(String(group.totalItems))
    .setCountSinceLastMeasurement(String(statistics.countSinceLastMeasurement))
    .setLastCheckpointedEventPosition(positionText(group, group.lastProcessed))
    .setLastKnownEventPosition(positionText(group, group.lastKnown))
    .setResolveLinkTos(settings.resolveLinks)
    .setStartFrom(startFromText(group))
    .setMessageTimeoutMilliseconds(settings.messageTimeoutMs)
    .setExtraStatistics(settings.extraStatistics)
    .setMaxRetryCount(settings.maxRetryCount)
    .setLiveBufferSize(settings.liveBufferSize)
    .setBufferSize(settings.historyBufferSize)
    .setReadBatchSize(settings.readBatchSize)
    .setCheckPointAfterMilliseconds(settings.checkpointAfterMs)
    .setMinCheckPointCount(settings.minCheckpointCount)
    .setMaxCheckPointCount(settings.maxCheckpointCount)
    .setReadBufferCount(0)
    .setLiveBufferCount("0")
    .setRetryBufferCount(group.retryCount)
    .setTotalInFlightMessages(group.outstandingCount)
    .setOutstandingMessagesCount(group.outstandingCount)
    .setNamedConsumerStrategy(settings.strategy)
    .setMaxSubscriberCount(settings.maxSubscriberCount)
    .setParkedMessageCount(String(group.parkedCount));
  info.setConnectionsList(
    group.consumers.map((consumer) => {
      const counted = statistics.consumers.get(consumer);
      return new persistentPb.SubscriptionInfo.ConnectionInfo()
        .setFrom(consumer.from)
        .setUsername(consumer.username)
        .setAverageItemsPerSecond(counted?.averagePerSecond ?? 0)
        .setTotalItems(String(consumer.totalItems))
        .setCountSinceLastMeasurement(String(counted?.countSinceLastMeasurement ?? 0))
        .setObservedMeasurementsList(
          (consumer.responseTimes?.measurements() ?? []).map((measured) =>
            new persistentPb.SubscriptionInfo.Measurement().setKey(measured.key).setValue(String(measured.value)),
          ),
        )
        .setAvailableSlots(consumer.bufferSize - consumer.inFlight)
        .setInFlightMessages(consumer.inFlight)
        .setConnectionName(consumer.connectionName);
    }),
  );
  return info;
}

/** The server keeps every group's configuration in `$persistentSubscriptionConfig`. */
function writeConfig(subscriptions: PersistentSubscriptions): void {
  const entries = [...subscriptions.groups.values()].map((group) => ({
    stream: group.source,
    group: group.name,
    resolveLinkTos: group.settings.resolveLinks,
    startFrom: startFromText(group),
    messageTimeoutMilliseconds: group.settings.messageTimeoutMs,
    maxRetryCount: group.settings.maxRetryCount,
    namedConsumerStrategy: group.settings.strategy,
    maxSubscriberCount: group.settings.maxSubscriberCount,
  }));
  subscriptions.store.append("$persistentSubscriptionConfig", -2n, [
    {
      id: randomUUID(),
      type: "$PersistentConfig",
      contentType: "application/json",
      data: Buffer.from(JSON.stringify({ version: "2", updated: new Date().toISOString(), updatedBy: "admin", entries })),
      customMetadata: new Uint8Array(),
    },
  ]);
}
