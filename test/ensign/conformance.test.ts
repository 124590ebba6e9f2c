import * as vitest from "vitest";
import { describe, it } from "vitest";
import { connect } from "../../src/connect.js";
import { createEnsignEventStream, ensignCapabilities } from "../../src/adapters/ensign/index.js";
import { ensignConfigFromUrl } from "../../src/adapters/ensign/config.js";
import { runConformanceSuite } from "../../src/testing/index.js";
import { startEnsignServer, type EnsignServer } from "../../src/servers/ensign/index.js";

// One emulator per run; the suite uses unique stream names, so a shared server is fine.
function emulatorRun(name: string, extra: { consistency?: "single-writer"; topic?: string }) {
  let server: EnsignServer | undefined;
  const serverReady = startEnsignServer().then((s) => (server = s));
  runConformanceSuite(vitest, {
    name,
    capabilities: ensignCapabilities(extra),
    create: async () => {
      const s = await serverReady;
      return createEnsignEventStream({
        endpoint: s.endpoint,
        insecure: true,
        authUrl: s.authUrl,
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        ...extra,
      });
    },
    cleanup: async () => {
      await server?.close();
    },
  });
}

emulatorRun("ensign (emulator)", {});
emulatorRun("ensign (emulator, consistency=single-writer)", { consistency: "single-writer" });
emulatorRun("ensign (emulator, one topic: $all in topic order)", { topic: "switchyard_all" });

// A real Ensign node: ENSIGN_URL=ensign://host:port?authUrl=…, credentials from ENSIGN_CLIENT_ID/_SECRET.
const realUrl = process.env.ENSIGN_URL;
if (realUrl) {
  runConformanceSuite(vitest, {
    name: "ensign (real server from ENSIGN_URL)",
    capabilities: ensignCapabilities(ensignConfigFromUrl(new URL(realUrl))),
    create: () => connect(realUrl),
  });
} else {
  describe("ensign (real server)", () => {
    it.skip("runs only when ENSIGN_URL is set (Ensign's hosted service is shut down; point it at a self-hosted node)", () => {});
  });
}
