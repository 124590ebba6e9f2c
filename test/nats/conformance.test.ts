import * as vitest from "vitest";
import { createNatsEventStream, natsCapabilities } from "../../src/adapters/nats/index.js";
import { runConformanceSuite } from "../../src/testing/index.js";
import { deleteStreams, uniqueStreamName, urlWithStream } from "./server.js";

const stream = uniqueStreamName("conformance");

runConformanceSuite(vitest, {
  name: "nats",
  capabilities: natsCapabilities(),
  create: () => createNatsEventStream({ connection: urlWithStream(stream) }),
  cleanup: () => deleteStreams([stream]),
});
