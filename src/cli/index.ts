#!/usr/bin/env node
/**
 * The `switchyard` command. Each command's work is imported when the command runs, so parsing the
 * command line (or `--help`) loads no gRPC library. Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { AppendCommandOptions } from "./append.js";
import { collect, expectedRevisionArgument, jsonArgument, positiveIntegerArgument } from "./arguments.js";
import type { CopyCommandOptions } from "./copy/copy.js";
import { describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeOf } from "./errors.js";
import type { InfoOptions } from "./info.js";
import type { ReadCommandOptions } from "./read.js";
import type { ServeCommandOptions } from "./serve.js";
import { storeUrl, URL_ENV } from "./store-url.js";
import type { TailCommandOptions } from "./tail.js";

const program = new Command("switchyard")
  .description("Event sourcing for TypeScript, written once and run on any backend (switchyard-events).")
  .option("--verbose", "on failure, print the error's stack and causes instead of one line")
  .showHelpAfterError()
  // Usage errors exit 2 (commander's default is 1); set before the commands so each inherits it.
  .exitOverride();

program.addHelpText(
  "after",
  `
Every store command takes --url (default: $${URL_ENV}): memory:, sqlite:./events.db,
postgres://user@host:5432/db?schema=events, esdb://host:2113?tls=false, ensign://host:port?...
URLs are printed with passwords and secrets masked.

Exit codes: 0 done, 1 failed (unreachable store, conflict, verify difference), 2 usage (bad
arguments or URL). Errors are one line; --verbose adds the stack.`,
);

const urlOption = () => new Option("--url <url>", `the store (default: $${URL_ENV})`);
const example = (text: string) => `\nExample:\n  ${text}`;

program
  .command("info")
  .description("Show a store's backend, capabilities, reachability and last position (exit 1 if unreachable).")
  .addOption(urlOption())
  .option("--count", "also count streams and events (reads every event)")
  .option("--json", "print one JSON object")
  .addOption(new Option("--timeout <ms>", "how long to wait for the store to answer").argParser(positiveIntegerArgument).default(5_000))
  .addHelpText("after", example("switchyard info --url postgres://app@db.internal/app?schema=events"))
  .action(async (options: InfoOptions & { url?: string }) => {
    const { info } = await import("./info.js");
    await info(storeUrl(options.url), options);
  });

program
  .command("read")
  .description("Read a stream, or every stream with --all: a table on a terminal, JSON Lines otherwise.")
  .argument("[stream]", "the stream to read")
  .addOption(urlOption())
  .option("--all", "read every stream in global order")
  .option("--json", "print JSON Lines even on a terminal")
  .option("--from <revision|position>", "start here, inclusive: a revision for a stream, a position (e.g. sqlite:1/42) for --all, or start/end")
  .option("--backwards", "newest first")
  .addOption(new Option("--max <n>", "at most this many events (a table shows 1000 unless told)").argParser(positiveIntegerArgument))
  .option("--type <type>", "only events of this type (repeatable)", collect)
  .option("--prefix <prefix>", "with --all: only streams starting with this (repeatable)", collect)
  .addHelpText("after", example(`switchyard read order-42 --url sqlite:./events.db\n  switchyard read --all --prefix order- --type OrderPlaced --json | jq .data`))
  .action(async (stream: string | undefined, options: ReadCommandOptions & { url?: string }) => {
    const { read } = await import("./read.js");
    await read(storeUrl(options.url), stream, options);
  });

program
  .command("tail")
  .description("Follow a stream, a category or every stream live; Ctrl-C stops.")
  .argument("[stream]", "the stream to follow")
  .addOption(urlOption())
  .option("--category <name>", "follow every stream named <name>-…")
  .option("--all", "follow every stream")
  .option("--from <revision|position>", "resume after this revision (stream) or position (category, --all); start or end (default: end)")
  .option("--json", "print JSON Lines even on a terminal")
  .option("--type <type>", "with --all: only events of this type (repeatable)", collect)
  .option("--prefix <prefix>", "with --all: only streams starting with this (repeatable)", collect)
  .addHelpText("after", example(`switchyard tail --category order --from start --url "$${URL_ENV}"`))
  .action(async (stream: string | undefined, options: TailCommandOptions & { url?: string }) => {
    const { tail } = await import("./tail.js");
    await tail(storeUrl(options.url), stream, options);
  });

program
  .command("append")
  .description("Append one event (--type and --data), or a batch of JSON Lines from stdin, to a stream.")
  .argument("<stream>", "the stream to append to")
  .addOption(urlOption())
  .option("--type <type>", "the event's type")
  .addOption(new Option("--data <json>", "the event's data, as JSON").argParser(jsonArgument))
  .addOption(new Option("--metadata <json>", "the event's metadata, a JSON object").argParser(jsonArgument))
  .option("--id <uuid>", "the event's id (fix it to make a retry idempotent)")
  .option("--content-type <type>", "the data's content type (default application/json)")
  .addOption(new Option("--schema-version <n>", "the event's schema version (default 1)").argParser(positiveIntegerArgument))
  .addOption(
    new Option("--expected-revision <rev>", "any, no_stream, stream_exists, or the revision of the stream's last event").argParser(expectedRevisionArgument),
  )
  .option("--json", "print the result as JSON")
  .addHelpText(
    "after",
    example(`switchyard append order-42 --type OrderPlaced --data '{"total":12}' --expected-revision no_stream\n  switchyard read order-42 --json --url sqlite:a.db | switchyard append order-42 --url sqlite:b.db`),
  )
  .action(async (stream: string, options: AppendCommandOptions & { url?: string }) => {
    const { append } = await import("./append.js");
    await append(storeUrl(options.url), stream, options);
  });

program
  .command("migrate")
  .description("Create or upgrade a SQL store's schema (postgres, sqlite); safe to run again.")
  .argument("[url]", `the store (default: --url, then $${URL_ENV})`)
  .addOption(urlOption())
  .addHelpText("after", example("switchyard migrate postgres://admin@db.internal/app?schema=events"))
  .action(async (url: string | undefined, options: { url?: string }) => {
    const { migrate } = await import("./migrate.js");
    await migrate(storeUrl(url ?? options.url));
  });

program
  .command("copy")
  .description(
    "Copy every stream from one store to another: global order (or --stream by stream), ids, revisions (checked on every write), metadata and tombstones kept; resumable.",
  )
  .argument("<from-url>", "the source store")
  .argument("<to-url>", "the target store")
  .option("--prefix <prefix>", "only streams starting with this (repeatable)", collect)
  .option("--type <type>", "only events of this type (repeatable)", collect)
  .option("--stream <stream>", "copy these streams, stream by stream (repeatable; needed when the source has no global order)", collect)
  .option("--renumber", "copy streams whose retained events do not start at revision 0 (or have gaps) from revision 0")
  .option("--dry-run", "read the source and report what would be copied; write nothing")
  .option("--verify", "afterwards, compare both stores event by event; exit 1 on any difference")
  .option("--checkpoint <file>", "where progress is kept, so an interrupted copy resumes", "switchyard-copy.checkpoint.json")
  .option("--no-checkpoint", "keep no checkpoint file")
  .addOption(new Option("--batch <n>", "events per append, at most (consecutive events of one stream)").argParser(positiveIntegerArgument).default(500))
  .addOption(new Option("--progress-interval <seconds>", "off a terminal, print a progress line this often").argParser(positiveIntegerArgument).default(5))
  .option("--json", "print the final report as JSON")
  .addHelpText(
    "after",
    example("switchyard copy sqlite:./events.db 'postgres://app@db.internal/app?schema=events' --verify"),
  )
  .action(async (from: string, to: string, options: CopyCommandOptions) => {
    const { copy } = await import("./copy/copy.js");
    await copy(from, to, options);
  });

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
  .addHelpText("after", example("switchyard serve esdb --port 2113 --data-dir ./.esdb-data"))
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

// `switchyard read --all | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(EXIT_OK);
  throw error;
});

program.parseAsync().then(
  () => process.exit(EXIT_OK),
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and version end with exit 0; everything else commander refuses is a usage error, already printed.
      process.exit(error.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
    }
    if (error instanceof InvalidArgumentError) {
      console.error(`switchyard: ${error.message}`);
      process.exit(EXIT_USAGE);
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || process.argv.includes("--verbose");
    console.error(`switchyard: ${describeError(error, verbose)}`);
    process.exit(exitCodeOf(error) === EXIT_USAGE ? EXIT_USAGE : EXIT_FAILURE);
  },
);
