// `switchyard serve esdb|ensign`: starts one of our servers, prints how to connect, and closes it
// gracefully on SIGINT/SIGTERM (a second signal exits at once).
import { resolve } from "node:path";
import { startEnsignServer, startEventStoreDBServer, type RunningServer } from "../servers/index.js";

/** The options `switchyard serve` parses. */
export interface ServeCommandOptions {
  readonly port?: number;
  readonly authPort?: number;
  readonly tls?: boolean;
  readonly dataDir?: string;
  readonly json?: boolean;
  readonly runProjections?: "none" | "system" | "all";
  readonly startStandardProjections?: boolean;
}

const DEFAULT_PORTS = { esdb: 2113, ensign: 5356 } as const;
const DEFAULT_ENSIGN_AUTH_PORT = 8088;

export async function serve(kind: "esdb" | "ensign", options: ServeCommandOptions): Promise<void> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  const port = options.port ?? DEFAULT_PORTS[kind];
  const started = performance.now();
  let server: RunningServer;
  let details: Record<string, string>;
  if (kind === "esdb") {
    const esdb = await startEventStoreDBServer({
      port,
      tls: options.tls === true,
      dataDir,
      runProjections: options.runProjections,
      startStandardProjections: options.startStandardProjections === true,
    });
    server = esdb;
    details = { url: esdb.url, connectionString: esdb.connectionString, ...(esdb.caFile === undefined ? {} : { caFile: esdb.caFile }) };
  } else {
    if (options.runProjections !== undefined && options.runProjections !== "none") {
      throw new Error("--run-projections is an EventStoreDB option; the Ensign server has no projections");
    }
    if (options.tls === true) throw new Error("--tls is not supported by the Ensign server yet (it serves plaintext gRPC, as `insecure=true`)");
    const ensign = await startEnsignServer({ port, authPort: options.authPort ?? DEFAULT_ENSIGN_AUTH_PORT, dataDir });
    server = ensign;
    details = {
      url: ensign.url,
      endpoint: ensign.endpoint,
      authUrl: ensign.authUrl,
      clientId: ensign.clientId,
      clientSecret: ensign.clientSecret,
      projectId: ensign.projectId,
    };
  }
  const startupMs = Math.round(performance.now() - started);
  if (options.json === true) {
    console.log(JSON.stringify({ server: kind, port: server.port, dataDir: dataDir ?? null, startupMs, pid: process.pid, ...details }));
  } else {
    const name = kind === "esdb" ? "EventStoreDB" : "Ensign";
    console.log(`${name}-compatible server on 127.0.0.1:${server.port} (switchyard-events; for development and tests, not production)`);
    for (const [key, value] of Object.entries(details)) console.log(`  ${`${key}:`.padEnd(18)}${value}`);
    console.log(`  ${"data:".padEnd(18)}${dataDir ?? "memory only (--data-dir keeps it)"}`);
    console.log(`Started in ${startupMs} ms. Ctrl-C stops it.`);
  }
  await closeOnSignal(server);
}

function closeOnSignal(server: RunningServer): Promise<void> {
  return new Promise((done) => {
    let closing = false;
    const onSignal = () => {
      if (closing) process.exit(130);
      closing = true;
      server.close().then(
        () => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          done();
        },
        (error: unknown) => {
          console.error(`switchyard: closing the server failed: ${String(error)}`);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
