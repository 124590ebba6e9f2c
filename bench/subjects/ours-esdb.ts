import { EventStoreDBClient } from "@eventstore/db-client";
import { createEventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import type { ServerInfo } from "../types.js";
import { portSubject } from "./port-subject.js";
import type { Subject } from "./subject.js";

/** Our EventStoreDB adapter over a client built exactly as esdb-raw builds its own. */
export async function createOursEsdb(server: ServerInfo): Promise<Subject> {
  const client = EventStoreDBClient.connectionString(server.url);
  return portSubject("ours-esdb", "esdb", createEventStoreDBEventStream({ client, disposeClient: true }));
}
