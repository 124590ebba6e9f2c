import { StreamDeletedError } from "../../core/errors.js";
import type { Feed, FeedMessage, FeedStart } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import type { ChangeWatch } from "./change-watch.js";
import { clampToSafe, EVENT_COLUMNS, POSITION, REVISION, type EventDecoder, type EventRow } from "./event-rows.js";
import { filterCondition, prefixCondition } from "./event-filter.js";
import type { SqliteDatabase } from "./database.js";
import { pagedChunks, StatementCache } from "./paged-query.js";
import { firstVisibleRevision, oldestVisibleTime } from "./stream-rows.js";
import type { SqliteWrites } from "./sqlite-writes.js";

/** Yields what was stored since its last call, in chunks, advancing its own cursor. */
type Drain = (signal: AbortSignal) => AsyncGenerator<readonly EventRow[]>;

/** Subscription feeds: history after the start, `caughtUp`, then what each change brings. */
export class SqliteFeeds {
  readonly #statements: StatementCache;
  readonly #streamRows;
  readonly #lastPosition;

  constructor(
    db: SqliteDatabase,
    private readonly writes: SqliteWrites,
    private readonly decoder: EventDecoder,
    private readonly watch: ChangeWatch,
  ) {
    this.#statements = new StatementCache(db);
    this.#streamRows = db.prepare<[string, number, number, number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM switchyard_events WHERE stream = ? AND created_at >= ? AND revision >= ? AND revision <= ? ORDER BY revision LIMIT ?`,
    ).raw(true);
    this.#lastPosition = db.prepare<[], number | null>("SELECT max(position) FROM switchyard_events").pluck();
  }

  feed(target: ResolvedTarget): Feed {
    return (start, signal) => this.#follow(target.kind === "stream" ? this.#streamDrain(target.stream, start) : this.#globalDrain(target, start), signal);
  }

  async *#follow(drain: Drain, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    let caughtUp = false;
    while (!signal.aborted) {
      // Registered before reading: a commit made while the drain runs wakes the next round.
      const changed = this.watch.wait(signal);
      for await (const chunk of drain(signal)) {
        for (const row of chunk) {
          if (signal.aborted) return;
          yield { kind: "event", event: this.decoder.decode(row) };
        }
      }
      if (!caughtUp) {
        caughtUp = true;
        yield { kind: "caughtUp" };
      }
      await changed;
    }
  }

  #streamDrain(stream: string, start: FeedStart): Drain {
    let next: number | undefined = typeof start === "bigint" ? clampToSafe(start) + 1 : start === "start" ? 0 : undefined;
    const writes = this.writes;
    const statement = this.#streamRows;
    return async function* (signal) {
      const row = writes.streamState(stream);
      if (row?.tombstoned) throw new StreamDeletedError(stream);
      const last = row?.revision ?? -1;
      next ??= last + 1; // "end": only what is appended from now on
      if (!row || next > last) return;
      const oldest = oldestVisibleTime(row, Date.now());
      let cursor = Math.max(next, firstVisibleRevision(row));
      yield* pagedChunks("subscribe", (limit) => {
        const chunk = statement.all(stream, oldest, cursor, last, limit);
        if (chunk.length > 0) cursor = chunk[chunk.length - 1]![REVISION] + 1;
        return chunk;
      }, undefined, signal);
      next = last + 1;
    };
  }

  #globalDrain(target: Exclude<ResolvedTarget, { kind: "stream" }>, start: FeedStart): Drain {
    const condition = target.kind === "category" ? prefixCondition(target.prefix) : filterCondition(target.filter);
    const statement = this.#statements.events(
      `SELECT ${EVENT_COLUMNS} FROM switchyard_events WHERE position > ? AND position <= ? AND ${condition.sql} ORDER BY position LIMIT ?`,
    );
    // Exclusive start; a position of another store is refused when the subscription starts reading.
    let after: number | undefined =
      start === "start" ? 0 : start === "end" || typeof start === "bigint" ? undefined : clampToSafe(this.decoder.positions.sequenceOf(start, "from"));
    const lastPosition = this.#lastPosition;
    return async function* (signal) {
      const last = lastPosition.get() ?? 0;
      after ??= last;
      if (after >= last) return;
      yield* pagedChunks("subscribe", (limit) => {
        const chunk = statement.all(after, last, ...condition.params, limit);
        if (chunk.length > 0) after = chunk[chunk.length - 1]![POSITION];
        return chunk;
      }, undefined, signal);
      after = last;
    };
  }
}
