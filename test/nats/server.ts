import { randomBytes } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";

/** The NATS server with JetStream the tests run against (CI starts it; `NATS_URL` overrides). */
export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

/** A JetStream stream name no other test (or run) uses. */
export function uniqueStreamName(label: string): string {
  return `sytest_${label}_${randomBytes(5).toString("hex")}`;
}

export function urlWithStream(stream: string, base = NATS_URL): string {
  return `${base}${base.includes("?") ? "&" : "?"}stream=${stream}`;
}

/** Deletes test streams (and with them their consumers). */
export async function deleteStreams(names: readonly string[], servers = NATS_URL.replace(/^nats:\/\//, "").split("?")[0]!): Promise<void> {
  const nc = await connect({ servers: servers.split(",") });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
