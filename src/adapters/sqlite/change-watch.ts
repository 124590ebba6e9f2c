import type { SqliteDatabase } from "./database.js";

/** Every open watch per database file in this process, so a commit wakes the others at once. */
const watchesByFile = new Map<string, Set<ChangeWatch>>();

/**
 * Tells waiting subscriptions that the database changed: at once for commits made in this
 * process, and by polling `PRAGMA data_version` (which moves when another connection commits)
 * every `pollIntervalMs` for other processes. It polls only while someone waits.
 */
export class ChangeWatch {
  readonly #db: SqliteDatabase;
  readonly #file: string | undefined;
  readonly #pollIntervalMs: number;
  readonly #waiters = new Set<() => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #seen: unknown;

  /** `file` is the database's absolute path, undefined for an in-memory database only this connection sees. */
  constructor(db: SqliteDatabase, file: string | undefined, pollIntervalMs: number) {
    this.#db = db;
    this.#file = file;
    this.#pollIntervalMs = pollIntervalMs;
    // Kept across pauses in polling: a commit made while nobody waited still differs at the next tick.
    this.#seen = this.#dataVersion();
    if (file !== undefined) {
      let watches = watchesByFile.get(file);
      if (!watches) watchesByFile.set(file, (watches = new Set()));
      watches.add(this);
    }
  }

  /** After a commit by this connection: wakes every waiter on this file in this process. */
  notify(): void {
    const watches = this.#file === undefined ? [this] : (watchesByFile.get(this.#file) ?? [this]);
    for (const watch of watches) watch.#wake();
  }

  /**
   * Resolves at the next change, when `signal` aborts, or after `timeoutMs`. Call it before
   * reading what is stored, then await it: a commit between the two is never missed.
   */
  wait(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    return this.waiting(signal, timeoutMs).changed;
  }

  /** As `wait`, with `cancel()` for a waiter that found work and will not await the change. */
  waiting(signal: AbortSignal, timeoutMs?: number): { readonly changed: Promise<void>; cancel(): void } {
    if (signal.aborted) return { changed: Promise.resolve(), cancel: () => undefined };
    let done!: () => void;
    const changed = new Promise<void>((resolve) => {
      let timeout: ReturnType<typeof setTimeout> | undefined;
      done = () => {
        this.#waiters.delete(done);
        signal.removeEventListener("abort", done);
        if (timeout !== undefined) clearTimeout(timeout);
        if (this.#waiters.size === 0) this.#stopPolling();
        resolve();
      };
      this.#waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
      if (timeoutMs !== undefined) timeout = setTimeout(done, Math.max(0, timeoutMs));
      this.#startPolling();
    });
    return { changed, cancel: done };
  }

  close(): void {
    this.#wake();
    this.#stopPolling();
    if (this.#file === undefined) return;
    const watches = watchesByFile.get(this.#file);
    watches?.delete(this);
    if (watches?.size === 0) watchesByFile.delete(this.#file);
  }

  #wake(): void {
    for (const done of [...this.#waiters]) done();
  }

  #startPolling(): void {
    if (this.#timer !== undefined || this.#file === undefined) return;
    this.#timer = setInterval(() => {
      const version = this.#dataVersion();
      if (version === this.#seen) return;
      this.#seen = version;
      this.#wake();
    }, this.#pollIntervalMs);
  }

  #stopPolling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #dataVersion(): unknown {
    return this.#db.open ? this.#db.pragma("data_version", { simple: true }) : undefined;
  }
}
