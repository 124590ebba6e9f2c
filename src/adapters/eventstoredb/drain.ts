import { finished, type Readable } from "node:stream";
import type { StreamingRead } from "@eventstore/db-client";
import { translateError, type OperationContext } from "./errors.js";

export interface OpenedRead<T> {
  readonly read: StreamingRead<T>;
  /** How many items the call was asked for, when bounded. */
  readonly expectedMax?: bigint | undefined;
}

/**
 * Iterates a client read, mapping each item (`undefined` skips it), translating the client's
 * errors and cancelling the gRPC call when the caller stops early, a mapping fails or `signal`
 * aborts. A read that has already delivered `expectedMax` items is about to end on its own and is
 * left to finish rather than cancelled: every cancel is an HTTP/2 RST_STREAM, and servers protect
 * themselves from rapid resets by closing the whole connection.
 *
 * A hand-written iterator rather than async generators: each generator layer costs promise and
 * microtask hops per item (two layers of ours cost ~1 µs per event read, more with the emulator
 * sharing the cores; see docs/eventstoredb.md, cost model).
 * `open` runs on the first next(), so a read that is never iterated never starts a call, and
 * its errors surface on iteration.
 */
export class ClientRead<T, U> implements AsyncIterableIterator<U> {
  readonly #open: () => OpenedRead<T> | undefined;
  readonly #map: (item: T) => U | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #context: OperationContext;
  #expectedMax: bigint | undefined;
  // Consumed with read() and 'readable' rather than the stream's own async iterator (an async
  // generator: two more promise hops per item). Not destroyed before its call is cancelled:
  // the client's dispose() would then wait for that call forever.
  #read: StreamingRead<T> | undefined;
  #started = false;
  #finished = false;
  #ended = false;
  #error: unknown = undefined;
  #wake: (() => void) | undefined;
  #count = 0n;
  readonly #notify = (): void => {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
  readonly #onAbort = (): void => {
    void this.#read?.cancel();
    this.#notify();
  };

  constructor(
    open: () => OpenedRead<T> | undefined,
    map: (item: T) => U | undefined,
    signal: AbortSignal | undefined,
    context: OperationContext,
  ) {
    this.#open = open;
    this.#map = map;
    this.#signal = signal;
    this.#context = context;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<U>> {
    if (!this.#started) this.#start();
    const read = this.#read;
    if (this.#finished || read === undefined) return { done: true, value: undefined };
    for (;;) {
      if (this.#signal?.aborted) {
        // The abort cancelled the call; the caller gets the signal's reason.
        this.#finish();
        this.#signal.throwIfAborted();
      }
      const item = read.destroyed ? null : (read.read() as T | null);
      if (item !== null) {
        this.#count++;
        let mapped: U | undefined;
        try {
          mapped = this.#map(item);
        } catch (error) {
          await this.return();
          throw error;
        }
        if (mapped !== undefined) return { done: false, value: mapped };
        continue;
      }
      if (this.#ended) {
        this.#finish();
        if (this.#error !== undefined) throw translateError(this.#error, this.#context);
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<U>> {
    if (!this.#started) {
      this.#started = true;
      this.#finished = true;
    }
    if (this.#finished) return { done: true, value: undefined };
    this.#finish();
    const read = this.#read!;
    if (this.#expectedMax !== undefined && this.#count >= this.#expectedMax && !this.#signal?.aborted) {
      // Nothing but the end of the call is left to come; a failure now concerns nothing the
      // caller asked for, so it is not raised.
      while (!this.#ended) {
        if (read.destroyed || read.read() === null) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
        }
      }
    } else {
      await read.cancel();
      read.destroy();
    }
    read.off("readable", this.#notify);
    return { done: true, value: undefined };
  }

  #start(): void {
    this.#started = true;
    this.#signal?.throwIfAborted();
    const opened = this.#open();
    if (opened === undefined) {
      this.#finished = true;
      return;
    }
    const { read } = opened;
    this.#read = read;
    this.#expectedMax = opened.expectedMax;
    read.on("readable", this.#notify);
    // Stays attached (as with the stream's own iterator): it also keeps a late 'error' handled.
    finished(read as unknown as Readable, { writable: false }, (error) => {
      this.#ended = true;
      if (error) this.#error = error;
      this.#notify();
    });
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  #finish(): void {
    this.#finished = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

/** A client read's items as they come, with errors translated and the call cancelled on early exit. */
export function drain<T>(
  read: StreamingRead<T>,
  signal: AbortSignal | undefined,
  context: OperationContext,
  expectedMax?: bigint,
): ClientRead<T, T> {
  return new ClientRead(() => ({ read, expectedMax }), identity, signal, context);
}

function identity<T>(item: T): T {
  return item;
}
