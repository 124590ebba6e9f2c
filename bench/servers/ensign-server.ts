/**
 * The Ensign emulator (gRPC + Quarterdeck auth) in its own process. Announces endpoint, auth URL
 * and the API key on stdout, a pipe read only by the orchestrator, which hands the key to the
 * children through their environment (never argv or logs).
 */
import { startEnsignServer } from "../../src/servers/ensign/index.js";
import { serveUntilStdinCloses } from "./serve.js";

const server = await startEnsignServer();
serveUntilStdinCloses(
  {
    url: server.endpoint,
    pid: process.pid,
    extra: { authUrl: server.authUrl, clientId: server.clientId, clientSecret: server.clientSecret },
  },
  () => server.close(),
);
