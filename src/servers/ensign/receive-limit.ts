/**
 * The gRPC receive limit as the real server applies it (grpc-go): a request message above it ends
 * its call with RESOURCE_EXHAUSTED "grpc: received message larger than max (N vs. LIMIT)". The
 * emulator enforces it here rather than through grpc-js's own limit, so that the real server's
 * wording is kept and every refused message is counted (grpc-js refuses before any hook sees it).
 */
import * as grpc from "@grpc/grpc-js";

export class ReceiveLimit {
  /** Request messages refused for their size since the emulator was created. */
  refused = 0;
  private readonly sizes = new WeakMap<object, number>();

  constructor(readonly maxBytes: number) {}

  /** The service with each request's wire size remembered, for the interceptor to check. */
  measure(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
    const measured: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of Object.entries(service)) {
      measured[name] = {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          const message = method.requestDeserialize(bytes);
          if (typeof message === "object" && message !== null) this.sizes.set(message, bytes.byteLength);
          return message;
        },
      };
    }
    return measured;
  }

  /** Ends a call whose request message is over the limit, before its handler sees the message. */
  readonly interceptor: grpc.ServerInterceptor = (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message: unknown, pass: (message: unknown) => void) => {
            const size = typeof message === "object" && message !== null ? this.sizes.get(message) : undefined;
            if (size === undefined || size <= this.maxBytes) return pass(message);
            this.refused++;
            call.sendStatus({
              code: grpc.status.RESOURCE_EXHAUSTED,
              details: `grpc: received message larger than max (${size} vs. ${this.maxBytes})`,
              metadata: new grpc.Metadata(),
            });
          },
        }),
    });
}
