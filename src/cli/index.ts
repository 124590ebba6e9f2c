#!/usr/bin/env node
/**
 * The `switchyard` command. Each command's work is imported when the command runs, so parsing the
 * command line (or `--help`) loads no gRPC library.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import type { ServeCommandOptions } from "./serve.js";

const program = new Command("switchyard")
  .description("Event sourcing for TypeScript, written once and run on any backend (switchyard-events).")
  .showHelpAfterError();

program
  .command("serve")
  .description(
    "Start our EventStoreDB- or Ensign-compatible server, for development and tests (not production). Ctrl-C stops it.",
  )
  .addOption(new Option("--port <port>", "port to listen on at 127.0.0.1; 0 picks a free one (default: the real server's: esdb 2113, ensign 5356)").argParser(port))
  .addOption(new Option("--auth-port <port>", "ensign: port of the auth endpoints (default 8088, the real Quarterdeck's)").argParser(port))
  .option("--tls", "esdb: serve TLS with a throwaway CA (needs openssl) and require credentials (admin/changeit)")
  .addOption(
    new Option("--run-projections <mode>", "esdb: which projections run, as the server's option (user-defined JavaScript projections are refused)")
      .choices(["none", "system", "all"])
      .default("none"),
  )
  .option("--start-standard-projections", "esdb: enable the system projections ($by_category, $by_event_type, ...) at start")
  .option("--data-dir <dir>", "keep the data in this directory across restarts (default: memory only)")
  .option("--json", "print one JSON line with the connection details instead of text")
  .argument("<server>", "esdb (EventStoreDB / KurrentDB) or ensign")
  .action(async (server: string, options: ServeCommandOptions) => {
    if (server !== "esdb" && server !== "ensign") throw new InvalidArgumentError(`unknown server "${server}" (esdb or ensign)`);
    const { serve } = await import("./serve.js");
    await serve(server, options);
  });

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) throw new InvalidArgumentError("expected a port number (0-65535)");
  return parsed;
}

program.parseAsync().catch((error: unknown) => {
  console.error(`switchyard: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
