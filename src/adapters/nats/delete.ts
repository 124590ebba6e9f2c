import type { DeleteRequest } from "../../core/driver.js";
import { StreamDeletedError, StreamNotFoundError, WrongExpectedRevisionError } from "../../core/errors.js";
import { satisfies } from "./append.js";
import type { Connection } from "./connection.js";
import { isWrongLastSequence } from "./errors.js";
import { markerHeaders, type Marker } from "./event-mapping.js";
import { tailOf } from "./messages.js";

/**
 * Soft delete and tombstone: a marker message becomes the stream's last message (published with
 * the expected last subject sequence, so the expected revision holds), then the stream's earlier
 * messages are purged. The marker keeps the last revision, so a recreated stream continues after
 * it; a tombstone refuses every later append.
 */
export async function deleteStream(connection: Connection, request: DeleteRequest, marker: Marker): Promise<void> {
  const { stream, expectedRevision } = request;
  const subject = connection.layout.of(stream);
  const name = connection.streamName;
  await connection.run({ operation: `${marker === "tombstone" ? "tombstone" : "delete"} "${stream}"`, write: true }, async (store) => {
    connection.tails.delete(subject);
    for (;;) {
      const tail = await tailOf(store, name, subject);
      if (tail?.kind === "marker" && tail.marker === "tombstone") throw new StreamDeletedError(stream);
      const current = tail === undefined || tail.kind === "marker" ? undefined : tail.revision;
      if (!satisfies(expectedRevision, current)) throw new WrongExpectedRevisionError(stream, expectedRevision, current ?? "no_stream");
      if (current === undefined && marker === "deleted") throw new StreamNotFoundError(stream);
      const previous = tail?.seq ?? 0;
      const expect =
        store.consistency === "stream"
          ? { lastSubjectSequence: previous, lastSequence: (await store.jsm.streams.info(name)).state.last_seq }
          : { lastSubjectSequence: previous };
      try {
        const ack = await store.js.publish(subject, undefined, {
          headers: markerHeaders(marker, tail?.revision ?? 0n, previous),
          expect,
          timeout: connection.timeoutMs,
        });
        await store.jsm.streams.purge(name, { filter: subject, seq: ack.seq });
        return;
      } catch (error) {
        // Another writer got in first: look at the stream again.
        if (!isWrongLastSequence(error)) throw error;
      }
    }
  });
}
