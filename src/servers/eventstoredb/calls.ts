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
  /** Calls received per method path, for tests that check which node served what. */
  readonly served = new Map<string, number>();

  get size(): number {
    return this.#open.size;
  }

  readonly interceptor: ServerInterceptor = (method, call) => {
    this.served.set(method.path, (this.served.get(method.path) ?? 0) + 1);
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
