import { describe } from "vitest";
import { connect } from "../../src/core/connect.js";
import { createEventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { runConformanceSuite } from "../../src/testing/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../emulators/eventstoredb/index.js";

// The adapter's capabilities do not depend on the server, so they are known before it starts.
const { capabilities } = createEventStoreDBEventStream({ config: { tls: false } });

let emulator: EventStoreEmulator | undefined;
let starting: Promise<EventStoreEmulator> | undefined;
const started = () => (starting ??= startEventStoreEmulator().then((e) => (emulator = e)));

runConformanceSuite({
  name: "eventstoredb (emulator)",
  capabilities,
  create: async () => connect((await started()).connectionString),
  cleanup: async () => {
    await emulator?.close();
  },
});

const ESDB_URL = process.env.ESDB_URL;
if (ESDB_URL) {
  runConformanceSuite({
    name: `eventstoredb (real server at ESDB_URL)`,
    capabilities,
    create: () => connect(ESDB_URL),
    waitTimeoutMs: 30_000,
  });
} else {
  describe.skip("EventStream conformance: eventstoredb (real server) [skipped: set ESDB_URL=esdb://host:2113?tls=false to run it]", () => {
    // Registered so the skip and its reason show in the test report.
    runConformanceSuite({ name: "eventstoredb (real server)", capabilities, create: () => connect("esdb://localhost:2113?tls=false") });
  });
}
