import { isStreamNotFoundError } from "../errors.js";
import type { RecordedEvent } from "../event.js";
import type { EventStream } from "../event-stream.js";
import { sendToDeadLetter } from "./dead-letter.js";
import type { Decider, DomainEvent } from "./decider.js";
import type { EventCodec, InvalidEventPolicy } from "./event-codec.js";
import type { SnapshotStore } from "./snapshots.js";

/** The state of one stream as the command handler sees it. */
export interface LoadedStream<TState> {
  readonly streamId: string;
  readonly state: TState;
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  readonly revision: bigint | undefined;
  /** Revision covered by the snapshot used (-1n when none was used). */
  readonly snapshotRevision: bigint;
  /** Events read from the stream itself (the snapshot read is not counted here). */
  readonly eventsRead: number;
  /** Ids of commands already applied: from the snapshot and from the events read. */
  readonly commandIds: readonly string[];
  /** Events of the tail read, grouped by the command (causation id) that produced them. */
  readonly eventsByCommand: ReadonlyMap<string, readonly RecordedEvent[]>;
}

export interface StreamLoaderParts<TEvent extends DomainEvent, TState> {
  readonly eventStream: EventStream;
  readonly decider: Pick<Decider<unknown, TEvent, TState>, "initialState" | "evolve">;
  readonly codec: EventCodec<TEvent>;
  readonly invalidEvents: InvalidEventPolicy;
  readonly snapshots: SnapshotStore<TState> | undefined;
  /** Ids of events this process already dead-lettered, so a reload does not send them again. */
  readonly deadLettered: Set<string>;
}

/** Latest snapshot (if any) → tail of the stream after it → folded state. */
export async function loadStream<TEvent extends DomainEvent, TState>(
  parts: StreamLoaderParts<TEvent, TState>,
  streamId: string,
  signal?: AbortSignal,
): Promise<LoadedStream<TState>> {
  const snapshot = parts.snapshots ? await parts.snapshots.load(streamId, signal) : undefined;
  let state = snapshot ? snapshot.state : parts.decider.initialState;
  let revision = snapshot?.revision;
  const commandIds = [...(snapshot?.commandIds ?? [])];
  const eventsByCommand = new Map<string, RecordedEvent[]>();
  let eventsRead = 0;
  try {
    const from = snapshot ? snapshot.revision + 1n : 0n;
    for await (const recorded of parts.eventStream.read(streamId, { from, signal })) {
      eventsRead++;
      revision = recorded.revision;
      const causation = recorded.metadata.causationId;
      if (typeof causation === "string") {
        const group = eventsByCommand.get(causation);
        if (group) group.push(recorded);
        else {
          eventsByCommand.set(causation, [recorded]);
          commandIds.push(causation);
        }
      }
      const decoded = parts.codec.decode(recorded);
      if (decoded.ok) {
        state = parts.decider.evolve(state, decoded.event);
      } else if (parts.invalidEvents.onInvalid === "dead-letter") {
        if (!parts.deadLettered.has(recorded.id)) {
          await sendToDeadLetter(parts.eventStream, parts.invalidEvents.deadLetterStream, recorded, "validation", decoded.error, 1);
          parts.deadLettered.add(recorded.id);
        }
      } else {
        throw decoded.error;
      }
    }
  } catch (error) {
    if (!isStreamNotFoundError(error)) throw error;
    // Deleted (or never written): whatever a snapshot said no longer applies.
    return {
      streamId,
      state: parts.decider.initialState,
      revision: undefined,
      snapshotRevision: -1n,
      eventsRead,
      commandIds: [],
      eventsByCommand: new Map(),
    };
  }
  return { streamId, state, revision, snapshotRevision: snapshot?.revision ?? -1n, eventsRead, commandIds, eventsByCommand };
}
