/**
 * A raw grpc-js client over the wire module, for the emulator's own tests (deliberately not the
 * adapter's client): login over HTTP, unary calls as promises, streams as message queues.
 */
import * as grpc from "@grpc/grpc-js";
import {
  ENSIGN_SERVICE,
  GRPC_MESSAGE_SIZE_OPTIONS,
  type EnsignMethodName,
  type WireInput,
} from "../../../src/adapters/ensign/wire/index.js";
import type { EnsignServer } from "../../../src/servers/ensign/server.js";

const EnsignClientCtor = grpc.makeGenericClientConstructor(ENSIGN_SERVICE, "Ensign");

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; contentType: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json; charset=utf-8", Accept: "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    contentType: response.headers.get("content-type") ?? "",
  };
}

export async function login(server: EnsignServer, index = 0): Promise<Tokens> {
  const client = server.clients[index];
  if (!client) throw new Error(`no client ${index}`);
  const reply = await postJson(`${server.authUrl}/v1/authenticate`, {
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status}`);
  return reply.body as unknown as Tokens;
}

export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")),
    claims: JSON.parse(Buffer.from(claims ?? "", "base64url").toString("utf8")),
  };
}

export function bearer(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

type Callable = (...args: unknown[]) => unknown;

export class RawEnsignClient {
  readonly client: grpc.Client;

  constructor(endpoint: string, private token?: string) {
    this.client = new EnsignClientCtor(endpoint, grpc.credentials.createInsecure(), GRPC_MESSAGE_SIZE_OPTIONS);
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  private method(name: EnsignMethodName): Callable {
    const fn = (this.client as unknown as Record<string, Callable>)[name];
    if (!fn) throw new Error(`no method ${name}`);
    return fn.bind(this.client);
  }

  unary<Res>(name: EnsignMethodName, request: WireInput<unknown> | object): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.method(name)(request, bearer(this.token), (error: grpc.ServiceError | null, reply: Res) =>
        error ? reject(error) : resolve(reply),
      );
    });
  }

  /** Runs a server-streaming call to its end; rejects with the status error. */
  serverStream<Res>(name: EnsignMethodName, request: object): Promise<Res[]> {
    return new Promise((resolve, reject) => {
      const call = this.method(name)(request, bearer(this.token)) as grpc.ClientReadableStream<Res>;
      const out: Res[] = [];
      call.on("data", (message: Res) => out.push(message));
      call.on("error", reject);
      call.on("end", () => resolve(out));
    });
  }

  bidi<Req, Res>(name: "Publish" | "Subscribe"): StreamProbe<Req, Res> {
    const call = this.method(name)(bearer(this.token)) as grpc.ClientDuplexStream<Req, Res>;
    return new StreamProbe(call);
  }

  close(): void {
    this.client.close();
  }
}

/** Collects a bidi stream's replies and final status so tests can wait on them. */
export class StreamProbe<Req, Res> {
  readonly received: Res[] = [];
  status: grpc.StatusObject | undefined;
  error: grpc.ServiceError | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly call: grpc.ClientDuplexStream<Req, Res>) {
    call.on("data", (message: Res) => {
      this.received.push(message);
      this.notify();
    });
    call.on("error", (error: grpc.ServiceError) => {
      this.error = error;
      this.notify();
    });
    call.on("status", (status: grpc.StatusObject) => {
      this.status = status;
      this.notify();
    });
  }

  write(message: WireInput<Req> | object): void {
    this.call.write(message as Req);
  }

  end(): void {
    this.call.end();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits until `predicate` holds (re-checked on every stream event), bounded by `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the n-th reply (1-based) and returns it. */
  async reply(n: number): Promise<Res> {
    await this.until(() => this.received.length >= n || this.status !== undefined, `reply #${n}`);
    const reply = this.received[n - 1];
    if (reply === undefined) throw new Error(`stream ended before reply #${n}: ${this.status?.code} ${this.status?.details}`);
    return reply;
  }

  /** Waits for the final status. */
  async finished(): Promise<grpc.StatusObject> {
    await this.until(() => this.status !== undefined, "the stream's status");
    return this.status as grpc.StatusObject;
  }
}

/** Polls `predicate` (for state changed by background tasks) until true or `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
