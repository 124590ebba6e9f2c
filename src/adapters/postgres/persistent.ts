import { randomUUID } from "node:crypto";
import type { CodecRegistry } from "../../core/codec.js";
import type {
  DriverDelivery,
  DriverPersistentConnection,
  PersistentDriver,
  ResolvedPersistentTarget,
  ValidPersistentSettings,
} from "../../core/driver.js";
import { ClosedError, StreamNotFoundError, ValidationError } from "../../core/errors.js";
import type { NackAction } from "../../core/event-stream.js";
import type { Connection } from "./connection.js";
import type { Listener } from "./listener.js";
import { persistentSql, type PersistentStatements } from "./persistent-sql.js";
import { cursorOf, FIRST, justBefore, type Cursor } from "./positions.js";
import { likePrefix } from "./read-all.js";
import { toRecordedEvent, type EventRow } from "./rows.js";
import { quoteIdent } from "./schema-sql.js";

const DEFAULTS = { maxRetryCount: 10, messageTimeoutMs: 30_000 };
/** How many new events one claim moves from the log into the group's queue at most. */
const FILL_BATCH = 200;

interface GroupRow {
  stream_prefixes: string[] | null;
  event_types: string[] | null;
  cursor_revision: string | null;
  cursor_xid: string | null;
  cursor_position: string | null;
}

export interface PersistentContext {
  readonly connection: Connection;
  readonly schema: string;
  readonly codecs: CodecRegistry;
  readonly listener: Listener;
  readonly pollIntervalMs: number;
  epoch(): Promise<bigint>;
}

/**
 * Competing consumers with EventStoreDB's ack/nack semantics, kept in two tables: the group (its
 * cursor into the log and settings) and its queue of messages (ready, leased to a consumer until
 * a deadline, or parked). Claims, acks and nacks are each one short statement or transaction.
 */
export class PostgresPersistentDriver implements PersistentDriver {
  readonly #sql: PersistentStatements;

  constructor(private readonly ctx: PersistentContext) {
    this.#sql = persistentSql(ctx.schema);
  }

  async create(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    const epoch = await this.ctx.epoch();
    const start = await this.#start(target, settings.startFrom ?? "end", epoch);
    const filter = target.kind === "all" ? target.filter : undefined;
    const rows = await this.#query(this.#sql.create, [
      keyOf(target),
      group,
      filter?.streamPrefixes ? filter.streamPrefixes.map(likePrefix) : null,
      filter?.eventTypes ? [...filter.eventTypes] : null,
      start.revision,
      start.xid,
      start.position,
      settings.maxRetryCount ?? DEFAULTS.maxRetryCount,
      settings.messageTimeoutMs ?? DEFAULTS.messageTimeoutMs,
    ], group, true);
    if (rows.length === 0) throw new ValidationError(`Persistent subscription group "${group}" already exists`, "group");
  }

  async update(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    const epoch = await this.ctx.epoch();
    const start = settings.startFrom === undefined ? undefined : await this.#start(target, settings.startFrom, epoch);
    const rows = await this.#query(this.#sql.update, [
      keyOf(target),
      group,
      settings.maxRetryCount ?? null,
      settings.messageTimeoutMs ?? null,
      start !== undefined,
      start?.revision ?? null,
      start?.xid ?? null,
      start?.position ?? null,
    ], group, true);
    if (rows.length === 0) throw notFound(target, group);
  }

  async delete(target: ResolvedPersistentTarget, group: string): Promise<void> {
    const rows = await this.#query(this.#sql.delete, [keyOf(target), group], group, true);
    if (rows.length === 0) throw notFound(target, group);
  }

  connect(target: ResolvedPersistentTarget, group: string, bufferSize: number, signal: AbortSignal): DriverPersistentConnection {
    const consumer = randomUUID();
    const key = keyOf(target);
    const self = this;
    let mine = 0;
    let settled: (() => void) | undefined;
    const onSettled = () => {
      mine--;
      settled?.();
    };
    async function* deliveries(): AsyncGenerator<DriverDelivery> {
      const epoch = await self.ctx.epoch();
      while (!signal.aborted) {
        const seen = self.ctx.listener.generation;
        const wanted = bufferSize - mine;
        const claimed = wanted > 0 ? await self.#claim(target, key, group, consumer, wanted) : [];
        if (claimed === undefined) {
          if (signal.aborted) return;
          throw new ClosedError(`Persistent subscription group "${group}" was deleted`);
        }
        for (const row of claimed) {
          if (signal.aborted) return;
          mine++;
          yield self.#delivery(key, group, consumer, row, epoch, onSettled);
        }
        if (claimed.length === wanted && wanted > 0) continue;
        const local = new Promise<void>((resolve) => (settled = resolve));
        await Promise.race([self.ctx.listener.waitAfter(seen, self.ctx.pollIntervalMs, signal), local]);
        settled = undefined;
      }
    }
    const iterator = deliveries();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        await iterator.return(undefined);
        await this.ctx.connection.query(this.#sql.release, [key, group, consumer], { operation: "release leases" }).catch(() => undefined);
      },
    };
  }

  /** One short transaction: expire overdue leases, top up the queue from the log, lease to this consumer. */
  async #claim(
    target: ResolvedPersistentTarget,
    key: string,
    group: string,
    consumer: string,
    wanted: number,
  ): Promise<(EventRow & { retry_count: number })[] | undefined> {
    const sql = this.#sql;
    return this.ctx.connection.transaction({ operation: `read persistent subscription group "${group}"` }, async (client) => {
      const locked = await client.query<GroupRow>(sql.lockGroup, [key, group]);
      const row = locked.rows[0];
      if (!row) {
        const exists = await client.query(sql.exists, [key, group]);
        if (exists.rowCount === 0) return undefined;
      } else {
        await client.query(sql.expireLeases, [key, group]);
        const ready = await client.query<{ n: number }>(sql.readyCount, [key, group]);
        if (ready.rows[0]!.n < wanted) {
          if (target.kind === "stream") await client.query(sql.fillStream, [key, group, target.stream, row.cursor_revision, FILL_BATCH]);
          else await client.query(sql.fillAll, [key, group, row.cursor_xid, row.cursor_position, row.stream_prefixes, row.event_types, FILL_BATCH]);
        }
      }
      const claimed = await client.query<EventRow & { retry_count: number }>(sql.claim, [key, group, consumer, wanted]);
      return claimed.rows;
    });
  }

  #delivery(key: string, group: string, consumer: string, row: EventRow & { retry_count: number }, epoch: bigint, onSettled: () => void): DriverDelivery {
    let done = false;
    const settle = async (statement: string) => {
      if (done) return;
      done = true;
      await this.#query(statement, [key, group, row.position, consumer], group, true);
      onSettled();
    };
    return {
      event: toRecordedEvent(row, epoch, this.ctx.codecs),
      retryCount: row.retry_count,
      ack: () => settle(this.#sql.ack),
      nack: (action: NackAction) => settle(action === "retry" ? this.#sql.retry : action === "park" ? this.#sql.park : this.#sql.ack),
    };
  }

  /** The exclusive cursor of an inclusive start. */
  async #start(
    target: ResolvedPersistentTarget,
    from: NonNullable<ValidPersistentSettings["startFrom"]>,
    epoch: bigint,
  ): Promise<{ revision: string | null; xid: string | null; position: string | null }> {
    if (target.kind === "stream") {
      const revision = typeof from === "bigint" ? from - 1n : from === "start" ? -1n : await this.#lastRevision(target.stream);
      return { revision: revision.toString(), xid: null, position: null };
    }
    let cursor: Cursor;
    if (typeof from === "object") cursor = justBefore(cursorOf(from, epoch));
    else if (from === "start") cursor = FIRST;
    else {
      const [row] = await this.#query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin", [], "", false);
      cursor = { xid: BigInt((row as { xmin: string }).xmin), position: 0n };
    }
    return { revision: null, xid: cursor.xid.toString(), position: cursor.position.toString() };
  }

  async #lastRevision(stream: string): Promise<bigint> {
    const [row] = await this.#query(`SELECT revision::text AS revision FROM ${quoteIdent(this.ctx.schema)}.streams WHERE stream_id = $1`, [stream], "", false);
    return row ? BigInt((row as { revision: string }).revision) : -1n;
  }

  #query(text: string, values: unknown[], group: string, write: boolean): Promise<Record<string, unknown>[]> {
    return this.ctx.connection.query(text, values, { operation: `persistent subscription group "${group}"`, write });
  }
}

function keyOf(target: ResolvedPersistentTarget): string {
  return target.kind === "stream" ? `stream:${target.stream}` : "$all";
}

function notFound(target: ResolvedPersistentTarget, group: string): StreamNotFoundError {
  return new StreamNotFoundError(`persistent subscription group "${group}" on ${target.kind === "stream" ? target.stream : "$all"}`);
}
