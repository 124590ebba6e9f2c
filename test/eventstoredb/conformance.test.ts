import * as vitest from "vitest";
import { describe } from "vitest";
import { connect } from "../../src/connect.js";
import { createEventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { runConformanceSuite } from "../../src/testing/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";

// The adapter's capabilities do not depend on the server, so they are known before it starts.
const { capabilities } = createEventStoreDBEventStream({ config: { tls: false } });

let emulator: EventStoreEmulator | undefined;
let starting: Promise<EventStoreEmulator> | undefined;
const started = () => (starting ??= startEventStoreEmulator().then((e) => (emulator = e)));

runConformanceSuite(vitest, {
  name: "eventstoredb (emulator)",
  capabilities,
  create: async () => connect((await started()).connectionString),
  cleanup: async () => {
    await emulator?.close();
  },
});

// The same suite against a real EventStoreDB/KurrentDB (e.g. `docker compose up -d`, see
// docs/eventstoredb.md). Without ESDB_URL it is registered skipped, with the reason in its name.
const ESDB_URL = process.env.ESDB_URL;
describe.skipIf(!ESDB_URL)(
  ESDB_URL ? "real server at ESDB_URL" : 'real server [skipped: ESDB_URL is not set; e.g. ESDB_URL="esdb://localhost:2113?tls=false"]',
  () => {
    runConformanceSuite(vitest, {
      name: "eventstoredb (real server)",
      capabilities,
      create: () => connect(ESDB_URL ?? "esdb://localhost:2113?tls=false"),
      waitTimeoutMs: 30_000,
    });
  },
);
