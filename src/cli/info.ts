// `switchyard info`: which backend a URL names, what it can do, whether it answers, and what it holds where cheap.
import type { Capabilities } from "../core/capabilities.js";
import type { EventStream } from "../core/event-stream.js";
import { describeError, ReportedFailure } from "./errors.js";
import { openStore, shown } from "./store-url.js";

export interface InfoOptions {
  readonly json?: boolean;
  readonly count?: boolean;
  readonly timeout: number;
}

interface Counts {
  readonly streams: number;
  readonly events: number;
}

export async function info(url: string, options: InfoOptions): Promise<void> {
  const store = await openStore(url);
  try {
    const reachable = await store.ping({ timeoutMs: options.timeout }).then(
      () => undefined,
      (error: unknown) => describeError(error, false),
    );
    if (reachable !== undefined) {
      if (options.json === true) console.log(JSON.stringify({ url: shown(url), backend: store.capabilities.backend, reachable: false, error: reachable }));
      throw new ReportedFailure(`cannot reach ${shown(url)}: ${reachable}`);
    }
    const lastPosition = await lastPositionOf(store);
    const counts = options.count === true ? await countAll(store) : undefined;
    if (options.json === true) {
      console.log(
        JSON.stringify({
          url: shown(url),
          backend: store.capabilities.backend,
          reachable: true,
          capabilities: store.capabilities,
          lastPosition: lastPosition ?? null,
          ...(counts ? counts : {}),
        }),
      );
      return;
    }
    console.log(`url:           ${shown(url)}`);
    console.log(`backend:       ${store.capabilities.backend}`);
    console.log(`reachable:     yes`);
    console.log(`capabilities:  ${capabilityList(store.capabilities)}`);
    if (store.capabilities.maxAppendBytes !== undefined) {
      console.log(`append limit:  ${store.capabilities.maxAppendBytes} bytes per ${store.capabilities.maxAppendBytesPer}`);
    }
    console.log(`last position: ${lastPosition ?? (store.capabilities.globalOrder ? "(empty)" : "(no global order)")}`);
    if (counts) console.log(`streams:       ${counts.streams}\nevents:        ${counts.events}`);
    else if (store.capabilities.globalOrder) console.log(`counts:        --count reads every event to count streams and events`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

function capabilityList(capabilities: Capabilities): string {
  const flags = Object.entries(capabilities).filter(([key, value]) => typeof value === "boolean" && key !== "backend");
  const present = flags.filter(([, value]) => value).map(([key]) => key);
  const missing = flags.filter(([, value]) => !value).map(([key]) => key);
  return `${present.join(", ")}${missing.length > 0 ? `; lacks ${missing.join(", ")}` : ""}`;
}

/** One backwards read of $all: cheap on every backend with a global order. */
async function lastPositionOf(store: EventStream): Promise<string | undefined> {
  if (!store.capabilities.globalOrder || !store.capabilities.readBackward) return undefined;
  for await (const event of store.readAll({ direction: "backwards", maxCount: 1 })) return event.position.toString();
  return undefined;
}

/** The port has no count: this reads $all once (what --count asks for). */
async function countAll(store: EventStream): Promise<Counts | undefined> {
  if (!store.capabilities.globalOrder) return undefined;
  const streams = new Set<string>();
  let events = 0;
  for await (const event of store.readAll()) {
    events++;
    streams.add(event.streamId);
  }
  return { streams: streams.size, events };
}
