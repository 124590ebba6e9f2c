// `switchyard migrate <url>`: creates or upgrades a SQL store's schema, for users who manage DDL themselves.
import type { EventStream } from "../core/event-stream.js";
import { UsageError } from "./errors.js";
import { openStore, shown } from "./store-url.js";

interface Migratable {
  migrate(): Promise<void>;
  readonly schema?: string;
}

export async function migrate(url: string): Promise<void> {
  const store = await openStore(url);
  try {
    const backend = store.capabilities.backend;
    if (backend === "postgres" && isMigratable(store)) {
      await store.migrate();
      console.log(`PostgreSQL schema "${store.schema ?? "switchyard"}" at ${shown(url)} is created and current`);
      return;
    }
    if (backend === "sqlite") {
      // Opening a SQLite file creates or checks its tables in one transaction: nothing more to run.
      await store.ping();
      console.log(`SQLite store at ${shown(url)} is created and current`);
      return;
    }
    throw new UsageError(`migrate is for the SQL stores (postgres, sqlite); ${backend} has no schema to manage`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

function isMigratable(store: EventStream): store is EventStream & Migratable {
  return typeof (store as Partial<Migratable>).migrate === "function";
}
