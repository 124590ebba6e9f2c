import { ValidationError } from "../../core/errors.js";
import type { EnsignConnection } from "./connection.js";
import { NoRowsError } from "./errors.js";
import type { EventWrapper, Parameter, Query, WireInput } from "./wire/messages.js";

/** An EnSQL parameter value: booleans, integers (number or bigint), floats, bytes or strings. */
export type QueryParamValue = boolean | number | bigint | Uint8Array | string;

/** Options of an EnSQL query. */
export interface QueryOptions {
  /** Named parameters (the server parses them; Ensign does not evaluate WHERE at present). */
  readonly params?: Readonly<Record<string, QueryParamValue>>;
  /** Include events the server marked as duplicates (dereferenced to the original's data). */
  readonly includeDuplicates?: boolean;
  readonly signal?: AbortSignal;
}

export function buildQuery(sql: string, options: QueryOptions = {}): WireInput<Query> {
  if (typeof sql !== "string" || sql.trim() === "") throw new ValidationError("An EnSQL query must be a non-empty string", "query");
  const params: WireInput<Parameter>[] = [];
  for (const [name, value] of Object.entries(options.params ?? {})) params.push(toParameter(name, value));
  return { query: sql, params, include_duplicates: options.includeDuplicates ?? false };
}

function toParameter(name: string, value: QueryParamValue): WireInput<Parameter> {
  if (typeof value === "boolean") return { name, b: value };
  if (typeof value === "bigint") return { name, i: value.toString() };
  if (typeof value === "number") return Number.isSafeInteger(value) ? { name, i: value } : { name, d: value };
  if (value instanceof Uint8Array) return { name, y: value };
  if (typeof value === "string") return { name, s: value };
  throw new ValidationError(`EnSQL parameter "${name}" must be a boolean, number, bigint, Uint8Array or string`, `params.${name}`);
}

/**
 * The rows of an EnSQL query, as Ensign's SDKs expose them: the first row is read eagerly (no
 * rows → NoRowsError, a refused query → InvalidQueryError), then fetchOne / fetchMany / fetchAll
 * or `for await`. Closing (or breaking out of a loop) cancels the server stream.
 */
export class QueryCursor<T> implements AsyncIterable<T> {
  readonly #rows: AsyncGenerator<EventWrapper>;
  readonly #map: (wrapper: EventWrapper) => T;
  #first: T | undefined;
  #done = false;

  private constructor(rows: AsyncGenerator<EventWrapper>, map: (wrapper: EventWrapper) => T, first: T) {
    this.#rows = rows;
    this.#map = map;
    this.#first = first;
  }

  static async open<T>(
    connection: EnsignConnection,
    sql: string,
    options: QueryOptions,
    map: (wrapper: EventWrapper) => T,
  ): Promise<QueryCursor<T>> {
    const rows = connection.serverStream<EventWrapper>("EnSQL", buildQuery(sql, options), options.signal);
    const first = await rows.next();
    if (first.done) throw new NoRowsError(sql);
    return new QueryCursor(rows, map, map(first.value));
  }

  /** The next row, or undefined when there are no more. */
  async fetchOne(): Promise<T | undefined> {
    if (this.#first !== undefined) {
      const row = this.#first;
      this.#first = undefined;
      return row;
    }
    if (this.#done) return undefined;
    const next = await this.#rows.next();
    if (next.done) {
      this.#done = true;
      return undefined;
    }
    return this.#map(next.value);
  }

  async fetchMany(count: number): Promise<T[]> {
    if (!Number.isSafeInteger(count) || count <= 0) throw new ValidationError("fetchMany needs a positive integer count", "count");
    const rows: T[] = [];
    while (rows.length < count) {
      const row = await this.fetchOne();
      if (row === undefined) break;
      rows.push(row);
    }
    return rows;
  }

  async fetchAll(): Promise<T[]> {
    const rows: T[] = [];
    for (let row = await this.fetchOne(); row !== undefined; row = await this.fetchOne()) rows.push(row);
    return rows;
  }

  async close(): Promise<void> {
    this.#done = true;
    this.#first = undefined;
    await this.#rows.return(undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (let row = await this.fetchOne(); row !== undefined; row = await this.fetchOne()) yield row;
    } finally {
      await this.close();
    }
  }
}
