/**
 * Reads a server stream's requests one at a time. (A Readable's async iterator destroys the
 * whole duplex when it finishes, which would swallow the close_stream reply and the status.)
 */
import type { EventEmitter } from "node:events";

export class CancelledError extends Error {
  constructor() {
    super("the client cancelled the call");
  }
}

export class RequestReader<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(stream: EventEmitter) {
    stream.on("data", (message: T) => {
      this.queue.push(message);
      this.notify();
    });
    stream.on("end", () => {
      this.ended = true;
      this.notify();
    });
    stream.on("cancelled", () => {
      this.failure ??= new CancelledError();
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The next request, or undefined once the client half-closed. Throws when cancelled. */
  async next(): Promise<T | undefined> {
    for (;;) {
      const message = this.queue.shift();
      if (message !== undefined) return message;
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
