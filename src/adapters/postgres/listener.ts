import pg from "pg";
import { backoffDelay } from "../../core/subscription.js";
import { clientSettings } from "./connection.js";
import type { PostgresConfig } from "./config.js";
import { channelOf } from "./schema-sql.js";

const HEARTBEAT_MS = 10_000;
const RETRY = { maxAttempts: Infinity, initialDelayMs: 200, maxDelayMs: 5_000 };

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to other queries), shared by
 * every subscriber of the store. It only wakes subscribers early: they poll anyway, so a lost
 * notification, a dropped connection or a pooler without LISTEN delays them by one poll at most.
 * A periodic query notices a server restart, which an idle LISTEN connection may not.
 */
export class Listener {
  #client: pg.Client | undefined;
  #waiters = new Set<() => void>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #started = false;
  #generation = 0;
  #closed = false;

  constructor(
    private readonly config: PostgresConfig,
    private readonly schema: string,
  ) {}

  /** Counts wake-ups; read it before a query, then wait for a later one with `waitAfter`. */
  get generation(): number {
    if (!this.#started && this.config.listen !== false) {
      this.#started = true;
      void this.#connect();
    }
    return this.#generation;
  }

  /**
   * Resolves once a wake-up after `generation` has happened (at once if one already has), after
   * `timeoutMs` (the poll), or when `signal` aborts.
   */
  waitAfter(generation: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#generation > generation || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener("abort", done, { once: true });
      this.#waiters.add(done);
    });
  }

  /** This process appended: its own subscribers need not wait for the notification's round trip. */
  wake(): void {
    this.#wakeAll();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retryTimer);
    this.#wakeAll();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ ...clientSettings(this.config), application_name: "switchyard-events listener" });
    client.on("notification", () => this.#wakeAll());
    client.on("error", () => this.#lost(client));
    client.on("end", () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${channelOf(this.schema)}"`);
    } catch {
      this.#lost(client);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    // Anything committed while we were not listening is found by the subscribers' next query.
    this.#wakeAll();
    this.#heartbeat = setInterval(() => {
      client.query("SELECT 1").catch(() => this.#lost(client));
    }, HEARTBEAT_MS);
    this.#heartbeat.unref?.();
  }

  #lost(client: pg.Client): void {
    if (this.#client !== undefined && this.#client !== client) return;
    if (this.#client === client) this.#client = undefined;
    clearInterval(this.#heartbeat);
    client.end().catch(() => undefined);
    this.#wakeAll();
    if (this.#closed || this.#retryTimer !== undefined) return;
    this.#failures++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect();
    }, backoffDelay(this.#failures, RETRY));
    this.#retryTimer.unref?.();
  }

  #wakeAll(): void {
    this.#generation++;
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake();
  }
}
