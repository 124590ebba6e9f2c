// The calls in progress, tracked by a server interceptor so a graceful stop can end the ones
// still open after the grace period with CANCELLED, as the real server's host does when its
// shutdown timeout passes (a forced stop instead drops the connections: UNAVAILABLE).
import {
  ResponderBuilder,
  ServerInterceptingCall,
  ServerListenerBuilder,
  status,
  type ServerInterceptor,
} from "@grpc/grpc-js";

export class OpenCalls {
  readonly #open = new Set<ServerInterceptingCall>();

  get size(): number {
    return this.#open.size;
  }

  readonly interceptor: ServerInterceptor = (_method, call) => {
    const forget = () => this.#open.delete(tracked);
    const tracked: ServerInterceptingCall = new ServerInterceptingCall(
      call,
      new ResponderBuilder()
        .withStart((next) => next(new ServerListenerBuilder().withOnCancel(forget).build()))
        .withSendStatus((sent, next) => {
          forget();
          next(sent);
        })
        .build(),
    );
    this.#open.add(tracked);
    return tracked;
  };

  /** Ends every call still open with CANCELLED; their handlers see the call cancelled. */
  cancelAll(details: string): void {
    for (const call of [...this.#open]) call.sendStatus({ code: status.CANCELLED, details });
    this.#open.clear();
  }
}
