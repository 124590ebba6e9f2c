/**
 * The EventStoreDB emulator in its own process: prints `{"url","pid"}` as one JSON line once it
 * listens, and shuts down when its stdin closes (the orchestrator ends it that way).
 */
import { startEventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { serveUntilStdinCloses } from "./serve.js";

const emulator = await startEventStoreEmulator();
serveUntilStdinCloses({ url: emulator.connectionString, pid: process.pid }, () => emulator.close());
