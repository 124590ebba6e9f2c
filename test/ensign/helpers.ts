import { Ensign, type EnsignOptions } from "../../src/adapters/ensign/index.js";
import { startEnsignServer, type EnsignServer, type EnsignServerOptions } from "../../src/servers/ensign/index.js";

export async function emulator(options: EnsignServerOptions = {}): Promise<EnsignServer> {
  return startEnsignServer(options);
}

export function clientFor(server: EnsignServer, options: EnsignOptions = {}): Ensign {
  return new Ensign({
    endpoint: server.endpoint,
    insecure: true,
    authUrl: server.authUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 100 },
    ...options,
  });
}

let counter = 0;
/** A topic name no other test uses (letters, digits, underscore: queryable by EnSQL). */
export function uniqueTopic(label = "topic"): string {
  return `${label}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

export async function errorOf(promise: Promise<unknown> | (() => unknown)): Promise<Error & Record<string, unknown>> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected an error");
}

/** Polls `condition` until true, failing after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const utf8 = new TextEncoder();
