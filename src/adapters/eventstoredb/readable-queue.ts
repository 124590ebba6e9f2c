import type { Readable } from "node:stream";

/** Items buffered ahead of the consumer before the gRPC stream is paused (backpressure). */
const HIGH_WATER = 256;
const LOW_WATER = 64;

interface PendingMarker<O> {
  remaining: number;
  readonly message: O;
}

/** A client subscription: a Readable the client ends with unsubscribe(). */
export type ClientSubscription = Readable & { unsubscribe(): Promise<void> };

/**
 * Turns one of the client's subscriptions (a Readable that reports failures as 'error' events,
 * sometimes after its data has ended) into an ordered async iterable that never loses an error.
 * Markers (caught-up, checkpoints) that the client signals while earlier items still sit in its
 * readable buffer wait until that many more items have come out.
 */
export class ReadableQueue<I, O> {
  readonly #source: ClientSubscription;
  readonly #queue: O[] = [];
  readonly #markers: PendingMarker<O>[] = [];
  #failure: unknown;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(source: ClientSubscription, map: (item: I) => O | undefined) {
    this.#source = source;
    source.on("data", (item: I) => {
      for (const marker of this.#markers) marker.remaining--;
      try {
        const message = map(item);
        if (message !== undefined) this.#queue.push(message);
      } catch (error) {
        this.#failure ??= error;
      }
      this.#flushMarkers();
      if (this.#queue.length >= HIGH_WATER) source.pause();
      this.#notify();
    });
    // Stays attached after iteration ends: an 'error' without a listener would crash the process.
    source.on("error", (error: unknown) => {
      this.#failure ??= error;
      this.#notify();
    });
    const end = () => {
      this.#ended = true;
      this.#notify();
    };
    source.on("end", end);
    source.on("close", end);
  }

  /** Queues `message` after every item the client has already produced. */
  marker(message: O): void {
    this.#markers.push({ remaining: this.#source.readableLength, message });
    this.#flushMarkers();
    this.#notify();
  }

  /**
   * Yields items until the source ends (returns) or fails (throws `translate(error)`), or until
   * `signal` aborts. Leaving early unsubscribes.
   */
  async *iterate(signal: AbortSignal | undefined, translate: (error: unknown) => Error): AsyncGenerator<O> {
    const onAbort = () => this.#notify();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal?.aborted) {
        const message = this.#queue.shift();
        if (message !== undefined) {
          if (this.#queue.length <= LOW_WATER && this.#source.isPaused()) this.#source.resume();
          yield message;
          continue;
        }
        if (this.#failure !== undefined) throw translate(this.#failure);
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (!this.#ended) await this.#source.unsubscribe();
    }
  }

  /** Wakes a waiting iterate() (e.g. after the caller decided to stop). */
  wake(): void {
    this.#notify();
  }

  #flushMarkers(): void {
    while (this.#markers.length > 0 && this.#markers[0]!.remaining <= 0) this.#queue.push(this.#markers.shift()!.message);
  }

  #notify(): void {
    const resolve = this.#wake;
    this.#wake = undefined;
    resolve?.();
  }
}
