import type { ResolvedPersistentTarget, ValidPersistentSettings } from "../../core/driver.js";
import { StreamNotFoundError, ValidationError } from "../../core/errors.js";
import type { EventFilter, NackAction } from "../../core/event-stream.js";
import type { StorePositions } from "./positions.js";
import { clampToSafe, EVENT_COLUMNS, POSITION, type EventRow } from "./event-rows.js";
import { filterCondition, type SqlCondition } from "./event-filter.js";
import type { SqliteDatabase } from "./database.js";
import { StatementCache } from "./paged-query.js";

const DEFAULTS = { maxRetryCount: 10, messageTimeoutMs: 30_000 };

interface GroupRow {
  readonly filter: string | null;
  readonly cursor: number;
  readonly max_retry_count: number;
  readonly message_timeout_ms: number;
}

/** One event leased to a consumer. */
export interface Lease {
  readonly row: EventRow;
  readonly retryCount: number;
}

export type Taken = { readonly kind: "gone" } | { readonly kind: "taken"; readonly leases: readonly Lease[]; readonly nextExpiry: number | undefined };

/**
 * Consumer groups kept in the database file, so consumers in several processes share them. SQLite
 * has no row locks to hold while a consumer works, so each delivered event carries a lease (owner,
 * expiry) written in the same write transaction that picks it: an expired lease makes the event
 * deliverable again, with its retry count raised, whichever process notices first.
 */
export class GroupStore {
  readonly #db: SqliteDatabase;
  readonly #statements: StatementCache;
  readonly #positions: StorePositions;

  constructor(db: SqliteDatabase, positions: StorePositions) {
    this.#db = db;
    this.#statements = new StatementCache(db);
    this.#positions = positions;
  }

  create(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): void {
    this.#db
      .transaction(() => {
        if (this.#group(target, group)) throw new ValidationError(`Persistent subscription group "${group}" already exists`, "group");
        const filter = target.kind === "all" && target.filter ? JSON.stringify(target.filter) : null;
        this.#run(
          "INSERT INTO switchyard_groups (target, grp, filter, cursor, max_retry_count, message_timeout_ms) VALUES (?, ?, ?, ?, ?, ?)",
          keyOf(target), group, filter, this.#startCursor(target, settings.startFrom),
          settings.maxRetryCount ?? DEFAULTS.maxRetryCount, settings.messageTimeoutMs ?? DEFAULTS.messageTimeoutMs,
        );
      })
      .immediate();
  }

  update(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): void {
    this.#db
      .transaction(() => {
        const existing = this.#existing(target, group);
        const cursor = settings.startFrom === undefined ? existing.cursor : this.#startCursor(target, settings.startFrom);
        this.#run(
          "UPDATE switchyard_groups SET cursor = ?, max_retry_count = ?, message_timeout_ms = ? WHERE target = ? AND grp = ?",
          cursor, settings.maxRetryCount ?? existing.max_retry_count, settings.messageTimeoutMs ?? existing.message_timeout_ms,
          keyOf(target), group,
        );
      })
      .immediate();
  }

  delete(target: ResolvedPersistentTarget, group: string): void {
    this.#db
      .transaction(() => {
        this.#existing(target, group);
        this.#run("DELETE FROM switchyard_group_messages WHERE target = ? AND grp = ?", keyOf(target), group);
        this.#run("DELETE FROM switchyard_groups WHERE target = ? AND grp = ?", keyOf(target), group);
      })
      .immediate();
  }

  /** Throws StreamNotFoundError when the group does not exist. */
  assertExists(target: ResolvedPersistentTarget, group: string): void {
    this.#existing(target, group);
  }

  /** Leases up to `count` events to `owner`: retries first, then events past the group's cursor. */
  take(target: ResolvedPersistentTarget, group: string, owner: string, count: number): Taken {
    return this.#db
      .transaction((): Taken => {
        const key = keyOf(target);
        const state = this.#group(target, group);
        if (!state) return { kind: "gone" };
        const now = Date.now();
        this.#run(
          "UPDATE switchyard_group_messages SET state = 'ready', retry_count = retry_count + 1, lease_owner = NULL " +
            "WHERE target = ? AND grp = ? AND state = 'leased' AND lease_until <= ?",
          key, group, now,
        );
        this.#run(
          "UPDATE switchyard_group_messages SET state = 'parked' WHERE target = ? AND grp = ? AND state = 'ready' AND retry_count > ?",
          key, group, state.max_retry_count,
        );
        // Raw rows: the message's retry count, then the event's columns.
        const leases = this.#statements
          .get<readonly [number, ...EventRow]>(
            `SELECT m.retry_count, ${EVENT_COLUMNS.split(", ").map((c) => `e.${c}`).join(", ")} FROM switchyard_group_messages m ` +
              "JOIN switchyard_events e ON e.position = m.position WHERE m.target = ? AND m.grp = ? AND m.state = 'ready' ORDER BY m.position LIMIT ?",
          )
          .raw(true)
          .all(key, group, count)
          .map(([retryCount, ...row]): Lease => ({ row, retryCount }));
        if (leases.length < count) leases.push(...this.#advance(target, group, state, count - leases.length));
        const until = now + state.message_timeout_ms;
        for (const lease of leases) {
          this.#run(
            "INSERT INTO switchyard_group_messages (target, grp, position, state, retry_count, lease_owner, lease_until) VALUES (?, ?, ?, 'leased', ?, ?, ?) " +
              "ON CONFLICT (target, grp, position) DO UPDATE SET state = 'leased', lease_owner = excluded.lease_owner, lease_until = excluded.lease_until",
            key, group, lease.row[POSITION], lease.retryCount, owner, until,
          );
        }
        const nextExpiry = this.#statements
          .get<number | null>("SELECT min(lease_until) FROM switchyard_group_messages WHERE target = ? AND grp = ? AND state = 'leased'")
          .pluck()
          .get(key, group);
        return { kind: "taken", leases, nextExpiry: nextExpiry ?? undefined };
      })
      .immediate();
  }

  /** Ends `owner`'s lease on one event as the consumer said; false when the lease had already expired. */
  settle(target: ResolvedPersistentTarget, group: string, owner: string, position: number, action: "ack" | NackAction): boolean {
    return this.#db
      .transaction(() => {
        const key = keyOf(target);
        const where = "WHERE target = ? AND grp = ? AND position = ? AND state = 'leased' AND lease_owner = ?";
        if (action === "ack" || action === "skip") return this.#run(`DELETE FROM switchyard_group_messages ${where}`, key, group, position, owner) > 0;
        if (action === "park") {
          return this.#run(`UPDATE switchyard_group_messages SET state = 'parked', lease_owner = NULL ${where}`, key, group, position, owner) > 0;
        }
        const max = this.#group(target, group)?.max_retry_count ?? DEFAULTS.maxRetryCount;
        return (
          this.#run(
            "UPDATE switchyard_group_messages SET retry_count = retry_count + 1, lease_owner = NULL, " +
              `state = CASE WHEN retry_count + 1 > ? THEN 'parked' ELSE 'ready' END ${where}`,
            max, key, group, position, owner,
          ) > 0
        );
      })
      .immediate();
  }

  /** A closing consumer hands its unsettled events back to the group at once instead of at lease expiry. */
  release(target: ResolvedPersistentTarget, group: string, owner: string): void {
    this.#run(
      "UPDATE switchyard_group_messages SET state = 'ready', lease_owner = NULL WHERE target = ? AND grp = ? AND state = 'leased' AND lease_owner = ?",
      keyOf(target), group, owner,
    );
  }

  /** New events past the cursor that match the group's target; moves the cursor past what was scanned. */
  #advance(target: ResolvedPersistentTarget, group: string, state: GroupRow, count: number): Lease[] {
    const condition = this.#condition(target, state);
    const last = this.#statements.get<number | null>("SELECT max(position) FROM switchyard_events").pluck().get() ?? 0;
    const rows = this.#statements
      .events(`SELECT ${EVENT_COLUMNS} FROM switchyard_events WHERE position > ? AND position <= ? AND ${condition.sql} ORDER BY position LIMIT ?`)
      .all(state.cursor, last, ...condition.params, count);
    const cursor = rows.length < count ? last : rows[rows.length - 1]![POSITION];
    this.#run("UPDATE switchyard_groups SET cursor = ? WHERE target = ? AND grp = ?", cursor, keyOf(target), group);
    return rows.map((row) => ({ row, retryCount: 0 }));
  }

  #condition(target: ResolvedPersistentTarget, state: GroupRow): SqlCondition {
    if (target.kind === "stream") return { sql: "stream = ?", params: [target.stream] };
    return filterCondition(state.filter === null ? undefined : (JSON.parse(state.filter) as EventFilter));
  }

  /** The last position a new group has already passed: it delivers what comes after. */
  #startCursor(target: ResolvedPersistentTarget, startFrom: ValidPersistentSettings["startFrom"]): number {
    if (startFrom === "start") return 0;
    const last = this.#statements.get<number | null>("SELECT max(position) FROM switchyard_events").pluck().get() ?? 0;
    if (startFrom === undefined || startFrom === "end") return last;
    if (typeof startFrom !== "bigint") return clampToSafe(this.#positions.sequenceOf(startFrom, "startFrom")) - 1;
    if (target.kind !== "stream") return last;
    const first = this.#statements
      .get<number | null>("SELECT min(position) FROM switchyard_events WHERE stream = ? AND revision >= ?")
      .pluck()
      .get(target.stream, clampToSafe(startFrom));
    return first == null ? last : first - 1;
  }

  #existing(target: ResolvedPersistentTarget, group: string): GroupRow {
    const state = this.#group(target, group);
    if (!state) throw new StreamNotFoundError(`persistent subscription group "${group}" on ${describeTarget(target)}`);
    return state;
  }

  #group(target: ResolvedPersistentTarget, group: string): GroupRow | undefined {
    return this.#statements
      .get<GroupRow>("SELECT filter, cursor, max_retry_count, message_timeout_ms FROM switchyard_groups WHERE target = ? AND grp = ?")
      .get(keyOf(target), group);
  }

  #run(sql: string, ...params: unknown[]): number {
    return this.#statements.get(sql).run(...params).changes;
  }
}

function keyOf(target: ResolvedPersistentTarget): string {
  return target.kind === "stream" ? `stream:${target.stream}` : "$all";
}

function describeTarget(target: ResolvedPersistentTarget): string {
  return target.kind === "stream" ? target.stream : "$all";
}
