import type { ReadAllRequest, ReadRequest } from "../../core/driver.js";
import { StreamDeletedError, StreamNotFoundError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import { clampToSafe, EVENT_COLUMNS, POSITION, REVISION, type EventDecoder, type EventRow } from "./event-rows.js";
import { filterCondition } from "./event-filter.js";
import type { SqliteDatabase } from "./database.js";
import { pagedChunks, StatementCache } from "./paged-query.js";
import { firstVisibleRevision, oldestVisibleTime } from "./stream-rows.js";
import type { SqliteWrites } from "./sqlite-writes.js";

const FROM_EVENTS = `SELECT ${EVENT_COLUMNS} FROM switchyard_events`;

/** Reads of one stream and of `$all`, in chunks, ending where the log ended when the read began. */
export class SqliteReads {
  readonly #statements: StatementCache;
  readonly #forwards;
  readonly #backwards;
  readonly #lastPosition;

  constructor(
    db: SqliteDatabase,
    private readonly writes: SqliteWrites,
    private readonly decoder: EventDecoder,
  ) {
    this.#statements = new StatementCache(db);
    const visible = "stream = ? AND created_at >= ?";
    this.#forwards = db.prepare<[string, number, number, number, number], EventRow>(
      `${FROM_EVENTS} WHERE ${visible} AND revision >= ? AND revision <= ? ORDER BY revision LIMIT ?`,
    ).raw(true);
    this.#backwards = db.prepare<[string, number, number, number, number], EventRow>(
      `${FROM_EVENTS} WHERE ${visible} AND revision >= ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ).raw(true);
    this.#lastPosition = db.prepare<[], number | null>("SELECT max(position) FROM switchyard_events").pluck();
  }

  async *read({ stream, direction, from, maxCount, signal }: ReadRequest): AsyncGenerator<RecordedEvent> {
    const row = this.writes.streamState(stream);
    if (!row) throw new StreamNotFoundError(stream);
    if (row.tombstoned) throw new StreamDeletedError(stream);
    if (row.soft_deleted) throw new StreamNotFoundError(stream);
    const first = firstVisibleRevision(row);
    const last = row.revision;
    const oldest = oldestVisibleTime(row, Date.now());
    const requested = typeof from === "bigint" ? clampToSafe(from) : undefined;
    let chunks: AsyncGenerator<readonly EventRow[]>;
    if (direction === "forwards") {
      let next = from === "start" ? first : from === "end" ? last + 1 : Math.max(requested!, first);
      chunks = pagedChunks("read", (limit) => {
        const chunk = this.#forwards.all(stream, oldest, next, last, limit);
        if (chunk.length > 0) next = chunk[chunk.length - 1]![REVISION] + 1;
        return chunk;
      }, maxCount, signal);
    } else {
      let next = from === "start" || from === "end" ? last : Math.min(requested!, last);
      chunks = pagedChunks("read", (limit) => {
        const chunk = this.#backwards.all(stream, oldest, first, next, limit);
        if (chunk.length > 0) next = chunk[chunk.length - 1]![REVISION] - 1;
        return chunk;
      }, maxCount, signal);
    }
    yield* this.#decoded(chunks, signal);
  }

  async *readAll({ direction, from, maxCount, filter, signal }: ReadAllRequest): AsyncGenerator<RecordedEvent> {
    const condition = filterCondition(filter);
    const last = this.#lastPosition.get() ?? 0;
    const requested = typeof from === "string" ? undefined : clampToSafe(this.decoder.positions.sequenceOf(from, "from"));
    const forwards = direction === "forwards";
    let next = from === "start" ? (forwards ? 1 : last) : from === "end" ? (forwards ? last + 1 : last) : requested!;
    const statement = this.#statements.events(
      forwards
        ? `${FROM_EVENTS} WHERE position >= ? AND position <= ? AND ${condition.sql} ORDER BY position LIMIT ?`
        : `${FROM_EVENTS} WHERE position <= ? AND ${condition.sql} ORDER BY position DESC LIMIT ?`,
    );
    const chunks = pagedChunks("readAll", (limit) => {
      const chunk = forwards ? statement.all(next, last, ...condition.params, limit) : statement.all(next, ...condition.params, limit);
      if (chunk.length > 0) next = chunk[chunk.length - 1]![POSITION] + (forwards ? 1 : -1);
      return chunk;
    }, maxCount, signal);
    yield* this.#decoded(chunks, signal);
  }

  async *#decoded(chunks: AsyncGenerator<readonly EventRow[]>, signal: AbortSignal | undefined): AsyncGenerator<RecordedEvent> {
    for await (const chunk of chunks) {
      for (const row of chunk) {
        signal?.throwIfAborted();
        yield this.decoder.decode(row);
      }
    }
  }
}
