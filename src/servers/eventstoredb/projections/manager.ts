// Runs the system projections over the store: registration and persisted state in the streams the
// server uses (`$projections-$all`, `$projections-<name>`, `$projections-<name>-checkpoint`),
// enable/disable/reset, history catch-up from the last checkpoint, and emitted streams written as
// EmittedStream writes them (a metastream record first, checkpoint tag metadata on every record).
// Facts from EventStoreDB's ProjectionManager.cs, ManagedProjection.cs, EmittedStream.cs and
// CheckpointTag.cs (src/EventStore.Projections.Core/...).
import { randomUUID } from "node:crypto";
import { EXPECTED_ANY, type EventStore, type ProposedEvent, type StoredEvent } from "../store.js";
import {
  SYSTEM_PROJECTIONS,
  passesSource,
  type Emission,
  type SystemProjectionDefinition,
  type SystemProjectionName,
} from "./system-projections.js";

/** `--run-projections`: which projections the server runs. */
export type RunProjections = "none" | "system" | "all";

export interface ProjectionOptions {
  readonly runProjections: RunProjections;
  readonly startStandardProjections: boolean;
}

/** ProjectionsSubsystem.VERSION, the fourth part of every `$v`. */
const SUBSYSTEM_VERSION = 4;
/** ProjectionConfig's default CheckpointHandledThreshold. */
const CHECKPOINT_EVERY = 4_000;
/** Records handled per turn of the event loop, so a long catch-up does not starve the sockets. */
const RECORDS_PER_TURN = 2_000;
const REGISTRATION_STREAM = "$projections-$all";
const EMITTED_PREFIXES = ["$ce-", "$et-", "$category-", "$bc-"];

export interface ProjectionStatistics {
  readonly name: string;
  readonly status: string;
  readonly epoch: number;
  readonly version: number;
  readonly position: string;
  readonly lastCheckpoint: string;
  readonly progress: number;
  readonly eventsProcessedAfterRestart: number;
}

class RunningProjection {
  enabled = false;
  everStarted = false;
  /** A new projection's epoch is -1 (ProjectionManager's PendingProjection). */
  epoch = -1;
  /** The number of the projection's last `$ProjectionUpdated` record. */
  version = -1;
  /** Index in the log of the next record to look at. */
  nextIndex = 0;
  lastPosition: bigint | undefined;
  checkpoint: bigint | undefined;
  processedAfterRestart = 0;
  sinceCheckpoint = 0;
  /** Emitted streams already started in this epoch (their metastream record is written). */
  readonly streamsInEpoch = new Set<string>();

  constructor(
    readonly definition: SystemProjectionDefinition,
    readonly projectionId: number,
  ) {}

  get name(): SystemProjectionName {
    return this.definition.name;
  }

  get stamp(): string {
    return `${this.projectionId}:${this.epoch}:${this.version}:${SUBSYSTEM_VERSION}`;
  }
}

export class ProjectionManager {
  readonly #store: EventStore;
  readonly #projections = new Map<string, RunningProjection>();
  #scheduled = false;
  #draining = false;

  constructor(
    store: EventStore,
    readonly options: ProjectionOptions,
  ) {
    this.#store = store;
    if (options.runProjections === "none") return;
    this.#register();
    this.#load();
    if (options.startStandardProjections) for (const projection of this.#projections.values()) this.#enable(projection);
    store.onAppended(() => this.#schedule(), { survivesStop: true });
    this.#schedule();
  }

  /** False with `runProjections: "none"`: the server then has no Projections service at all. */
  get active(): boolean {
    return this.options.runProjections !== "none";
  }

  has(name: string): boolean {
    return this.#projections.has(name);
  }

  names(): string[] {
    return [...this.#projections.keys()];
  }

  statistics(name: string): ProjectionStatistics | undefined {
    const projection = this.#projections.get(name);
    if (projection === undefined) return undefined;
    const total = this.#store.log.length;
    const position = (value: bigint | undefined) => (value === undefined ? "" : `C:${value}/P:${value}`);
    return {
      name,
      status: projection.enabled ? "Running" : "Stopped",
      epoch: projection.epoch,
      version: projection.version,
      position: position(projection.lastPosition),
      lastCheckpoint: position(projection.checkpoint),
      progress: !projection.everStarted ? -1 : total === 0 ? 100 : Math.min(100, (100 * projection.nextIndex) / total),
      eventsProcessedAfterRestart: projection.processedAfterRestart,
    };
  }

  enable(name: string): boolean {
    const projection = this.#projections.get(name);
    if (projection === undefined) return false;
    this.#enable(projection);
    this.#schedule();
    return true;
  }

  /** Disable writes a checkpoint first (`writeCheckpoint`); abort does not. */
  disable(name: string, writeCheckpoint: boolean): boolean {
    const projection = this.#projections.get(name);
    if (projection === undefined) return false;
    if (!projection.enabled) return true;
    this.#drainProjection(projection, this.#store.log.length);
    if (writeCheckpoint) this.#writeCheckpoint(projection);
    projection.enabled = false;
    this.#persist(projection);
    return true;
  }

  /** A new epoch: processing starts over from the beginning; emitted streams start over too. */
  reset(name: string): boolean {
    const projection = this.#projections.get(name);
    if (projection === undefined) return false;
    // UpdateProjectionVersion(force) then Epoch = Version: the epoch is the record about to be written.
    projection.epoch = projection.version + 1;
    projection.nextIndex = 0;
    projection.lastPosition = undefined;
    projection.checkpoint = undefined;
    projection.processedAfterRestart = 0;
    projection.sinceCheckpoint = 0;
    projection.streamsInEpoch.clear();
    this.#persist(projection);
    this.#schedule();
    return true;
  }

  #enable(projection: RunningProjection): void {
    if (projection.enabled) return;
    projection.enabled = true;
    projection.everStarted = true;
    this.#persist(projection);
  }

  /** The first start of the subsystem writes `$ProjectionsInitialized` and one `$ProjectionCreated` each. */
  #register(): void {
    const registered = this.#store.readableEvents(REGISTRATION_STREAM) ?? [];
    if (registered.length === 0) {
      // Two writes, as the manager makes them: the initialisation record, then the batch post.
      this.#store.append(REGISTRATION_STREAM, EXPECTED_ANY, [binaryEvent("$ProjectionsInitialized", "")]);
      this.#store.append(
        REGISTRATION_STREAM,
        EXPECTED_ANY,
        SYSTEM_PROJECTIONS.map((definition) => binaryEvent("$ProjectionCreated", definition.name)),
      );
    }
    const created = (this.#store.readableEvents(REGISTRATION_STREAM) ?? []).filter(
      (event) => event.type === "$ProjectionCreated",
    );
    for (const definition of SYSTEM_PROJECTIONS) {
      const record = created.find((event) => Buffer.from(event.data).toString("utf8") === definition.name);
      // The projection id is the registration record's number (the initialisation record is 0).
      const projection = new RunningProjection(definition, Number(record?.revision ?? 0n));
      this.#projections.set(definition.name, projection);
    }
  }

  /** Rebuilds each projection from its persisted state, last checkpoint and last emitted record. */
  #load(): void {
    const emittedUpTo = this.#lastEmittedPositions();
    for (const projection of this.#projections.values()) {
      const persisted = this.#store.lastRecord(`$projections-${projection.name}`);
      if (persisted === undefined) {
        this.#persist(projection);
        continue;
      }
      const state = parseJson(persisted.data);
      projection.enabled = state.enabled === true;
      projection.everStarted = projection.enabled;
      projection.epoch = typeof state.epoch === "number" ? state.epoch : -1;
      projection.version = Number(persisted.revision);
      const checkpoint = this.#store.lastRecord(`$projections-${projection.name}-checkpoint`);
      const tag = checkpoint === undefined ? undefined : parseTag(checkpoint.customMetadata);
      if (tag !== undefined && tag.version >= projection.epoch) projection.checkpoint = tag.position;
      const emitted = emittedUpTo.get(`${projection.projectionId}`);
      const resumeAfter = max(projection.checkpoint, emitted !== undefined && emitted.version >= projection.epoch ? emitted.position : undefined);
      if (resumeAfter !== undefined) {
        projection.lastPosition = resumeAfter;
        projection.nextIndex = this.#store.firstIndexAtOrAfter(resumeAfter + 1n);
      }
    }
  }

  /** Highest `$c` per projection id among the records the projections emitted (journal recovery). */
  #lastEmittedPositions(): Map<string, { position: bigint; version: number }> {
    const found = new Map<string, { position: bigint; version: number }>();
    for (const record of this.#store.log) {
      if (record.stream !== "$streams" && !EMITTED_PREFIXES.some((prefix) => record.stream.startsWith(prefix))) continue;
      const tag = parseTag(record.customMetadata);
      if (tag === undefined) continue;
      const known = found.get(tag.projectionId);
      if (known === undefined || tag.position > known.position) found.set(tag.projectionId, tag);
    }
    return found;
  }

  /**
   * A `$ProjectionUpdated` record as ManagedProjection writes it: the persisted state serialised
   * with the server's JSON settings (camelCase, enums as names, default values left out,
   * indented); `version` is that record's number.
   */
  #persist(projection: RunningProjection): void {
    const stream = `$projections-${projection.name}`;
    projection.version = Number(this.#store.lastEventNumber(stream) + 1n);
    const state = {
      handlerType: projection.definition.handlerType,
      query: projection.definition.query,
      mode: "Continuous",
      ...(projection.enabled ? { enabled: true } : {}),
      emitEnabled: true,
      checkpointsDisabled: false,
      trackEmittedStreams: false,
      epoch: projection.epoch,
      version: projection.version,
      runAs: { name: "$system" },
      checkpointHandledThreshold: CHECKPOINT_EVERY,
      checkpointUnhandledBytesThreshold: 10_000_000,
      pendingEventsThreshold: 5_000,
      maxWriteBatchLength: 500,
      projectionSubsystemVersion: SUBSYSTEM_VERSION,
    };
    this.#store.append(stream, EXPECTED_ANY, [
      { ...binaryEvent("$ProjectionUpdated", JSON.stringify(state, null, 2)), contentType: "application/json" },
    ]);
  }

  #writeCheckpoint(projection: RunningProjection): void {
    if (projection.lastPosition === undefined) return;
    const position = projection.lastPosition;
    const tag = `{"$v":"${projection.stamp}","$c":${position},"$p":${position}}`;
    this.#store.append(`$projections-${projection.name}-checkpoint`, EXPECTED_ANY, [
      { ...binaryEvent("$ProjectionCheckpoint", ""), customMetadata: Buffer.from(tag, "utf8") },
    ]);
    projection.checkpoint = position;
    projection.sinceCheckpoint = 0;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    let more = false;
    try {
      for (const projection of this.#projections.values()) {
        if (!projection.enabled) continue;
        const end = Math.min(this.#store.log.length, projection.nextIndex + RECORDS_PER_TURN);
        this.#drainProjection(projection, end);
        if (projection.nextIndex < this.#store.log.length) more = true;
      }
    } finally {
      this.#draining = false;
    }
    if (more) setImmediate(() => this.#schedule());
  }

  #drainProjection(projection: RunningProjection, end: number): void {
    const log = this.#store.log;
    while (projection.nextIndex < end) {
      const record = log[projection.nextIndex]!;
      projection.nextIndex += 1;
      projection.lastPosition = record.position;
      if (!passesSource(projection.definition, record)) continue;
      for (const emission of projection.definition.process(record)) this.#emit(projection, emission, record);
      projection.processedAfterRestart += 1;
      projection.sinceCheckpoint += 1;
      if (projection.sinceCheckpoint >= CHECKPOINT_EVERY) this.#writeCheckpoint(projection);
    }
  }

  #emit(projection: RunningProjection, emission: Emission, cause: StoredEvent): void {
    if (!projection.streamsInEpoch.has(emission.stream)) {
      this.#startEmittedStream(projection, emission.stream);
      projection.streamsInEpoch.add(emission.stream);
    }
    const entries = [
      `"$v":"${projection.stamp}"`,
      `"$c":${cause.position}`,
      `"$p":${cause.position}`,
      ...emission.extra.map(([key, value]) => `${JSON.stringify(key)}:${value}`),
      `"$causedBy":"${cause.id}"`,
    ];
    const correlationId = correlationIdOf(cause);
    if (correlationId !== undefined) entries.push(`"$correlationId":${JSON.stringify(correlationId)}`);
    this.#store.append(emission.stream, EXPECTED_ANY, [
      {
        id: randomUUID(),
        type: emission.type,
        contentType: "application/octet-stream",
        data: Buffer.from(emission.data, "utf8"),
        customMetadata: Buffer.from(`{${entries.join(",")}}`, "utf8"),
      },
    ]);
  }

  /**
   * EmittedStream.SubmitWriteMetadata: a stream new to this projection epoch first gets metadata
   * (read access for everyone on `$` streams) and, when older records exist, `$tb` hiding them.
   */
  #startEmittedStream(projection: RunningProjection, stream: string): void {
    const last = this.#store.lastRecord(stream);
    if (last !== undefined) {
      const tag = parseTag(last.customMetadata);
      const sameEpoch = tag !== undefined && tag.projectionId === `${projection.projectionId}` && tag.version >= projection.epoch;
      if (sameEpoch) return;
    }
    const truncate = last === undefined ? "" : `"$tb":${this.#store.lastEventNumber(stream) + 1n},`;
    const acl = stream.startsWith("$") ? `"$acl":{"$r":"$all","$mr":"$all"}` : `"$acl":{}`;
    this.#store.append(`$$${stream}`, EXPECTED_ANY, [
      { ...binaryEvent("$metadata", `{${truncate}${acl}}`), contentType: "application/json" },
    ]);
  }
}

function binaryEvent(type: string, data: string): ProposedEvent {
  return {
    id: randomUUID(),
    type,
    contentType: "application/octet-stream",
    data: Buffer.from(data, "utf8"),
    customMetadata: new Uint8Array(),
  };
}

function parseJson(data: Uint8Array): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(data).toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A checkpoint tag `{"$v":"id:epoch:version:4","$c":…}`; positions read from the text (they exceed 2^53). */
function parseTag(metadata: Uint8Array): { projectionId: string; version: number; position: bigint } | undefined {
  const text = Buffer.from(metadata).toString("utf8");
  const stamp = /"\$v"\s*:\s*"(\d+):(-?\d+):(-?\d+):\d+"/.exec(text);
  const commit = /"\$c"\s*:\s*(\d+)/.exec(text);
  if (stamp === null || commit === null) return undefined;
  return { projectionId: stamp[1]!, version: Number(stamp[3]), position: BigInt(commit[1]!) };
}

/** The `$correlationId` of a JSON event's metadata, as the server hands it to emitted events. */
function correlationIdOf(event: StoredEvent): string | undefined {
  if (event.contentType !== "application/json") return undefined;
  const value = parseJson(event.customMetadata).$correlationId;
  return typeof value === "string" ? value : undefined;
}

function max(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
