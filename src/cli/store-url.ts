// Which store a command works on: --url, else $SWITCHYARD_URL; and how it is shown (redacted).
import { connect } from "../connect.js";
import type { EventStream } from "../core/event-stream.js";
import { redactUrl } from "../core/redact.js";
import { UsageError } from "./errors.js";

export const URL_ENV = "SWITCHYARD_URL";

/** The URL a command was given, or the environment's; a usage error when neither is set. */
export function storeUrl(given: string | undefined): string {
  const url = given ?? process.env[URL_ENV];
  if (url === undefined || url.trim() === "") {
    throw new UsageError(`no store URL: pass --url or set ${URL_ENV} (e.g. sqlite:./events.db, postgres://user@host/db)`);
  }
  return url;
}

/** The URL with passwords and secret-looking parameters masked: the only form ever printed. */
export function shown(url: string): string {
  return redactUrl(url);
}

/** Opens the store; a bad URL surfaces as the adapter's ConfigurationError (exit 2). */
export async function openStore(url: string): Promise<EventStream> {
  return connect(url);
}

/** Runs `work` with the store open and closes it afterwards, whatever happened. */
export async function withStore<T>(url: string, work: (store: EventStream) => Promise<T>): Promise<T> {
  const store = await openStore(url);
  try {
    return await work(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}
