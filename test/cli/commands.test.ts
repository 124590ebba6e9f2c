// info, read, append, migrate and the command line's rules (exit codes, --help, one-line
// errors, redacted URLs), each run as the `switchyard` bin in a child process against real stores.
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { dropSchemas, SHARED_URL, uniqueSchema, urlWithSchema } from "../postgres/schema.js";
import { jsonLines, runCli, tempDirectory } from "./cli.js";

const temp = tempDirectory("commands");
const schema = uniqueSchema("cli_migrate");
afterAll(async () => {
  await dropSchemas(SHARED_URL, [schema]);
  temp.remove();
});

interface EventLine {
  streamId: string;
  revision: number;
  position: string;
  id: string;
  type: string;
  contentType: string;
  schemaVersion: number;
  metadata: Record<string, unknown>;
  data?: unknown;
  dataBase64?: string;
}

describe("switchyard info", () => {
  it("names the backend, its capabilities and last position; --count counts; $SWITCHYARD_URL is the default", async () => {
    const url = `sqlite:${temp.file("info.db")}`;
    const store = await connect(url);
    await store.append("a-1", [{ type: "A", data: {} }, { type: "A", data: {} }]);
    const last = await store.append("b-1", [{ type: "B", data: {} }]);
    await store.close();
    const [result, text] = await Promise.all([runCli(["info", "--json", "--count"], { env: { SWITCHYARD_URL: url } }), runCli(["info", "--url", url])]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ backend: "sqlite", reachable: true, lastPosition: last.position!.toString(), streams: 2, events: 3, capabilities: { globalOrder: true } });
    expect(text.stdout).toMatch(/backend: +sqlite\nreachable: +yes/);
  });

  it("exits 1 with one line, the password masked, when the store cannot be reached", async () => {
    const result = await runCli(["info", "--url", "postgres://app:s3cret-pw@127.0.0.1:1/db", "--timeout", "3000"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("switchyard: cannot reach postgres://app:***@127.0.0.1:1/db");
    expect(result.stderr + result.stdout).not.toContain("s3cret-pw");
  });
});

describe("switchyard append and read", () => {
  const url = `sqlite:${temp.file("events.db")}`;

  it("appends one event from options, a batch from JSON Lines on stdin, and checks --expected-revision", async () => {
    const one = await runCli(["append", "order-1", "--url", url, "--type", "OrderPlaced", "--data", '{"total":12}', "--metadata", '{"correlationId":"c-1"}', "--expected-revision", "no_stream"]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ stream: "order-1", events: 1, nextExpectedRevision: 0 });
    const stdin = [
      JSON.stringify({ type: "OrderPaid", data: { amount: 12 } }),
      JSON.stringify({ type: "Receipt", dataBase64: Buffer.from([1, 2, 3]).toString("base64"), contentType: "application/octet-stream", schemaVersion: 2 }),
    ].join("\n");
    const batch = await runCli(["append", "order-1", "--url", url, "--expected-revision", "0"], { input: stdin });
    expect(batch.code).toBe(0);
    expect(JSON.parse(batch.stdout)).toMatchObject({ events: 2, nextExpectedRevision: 2 });
    const [conflict, bad] = await Promise.all([
      runCli(["append", "order-1", "--url", url, "--type", "Late", "--data", "{}", "--expected-revision", "0"]),
      runCli(["append", "order-1", "--url", url], { input: '{"type":"X"}\n' }),
    ]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr.trim()).toBe('switchyard: Append to "order-1" expected revision 0 but the stream is at 2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("stdin line 1");
  });

  it("reads a stream and every stream as JSON Lines, with --from, --backwards, --max, --type and --prefix", async () => {
    await runCli(["append", "invoice-1", "--url", url, "--type", "InvoiceSent", "--data", '{"n":1}']);
    const [streamRun, backwardsRun, fromRun, allRun] = await Promise.all([
      runCli(["read", "order-1", "--url", url]),
      runCli(["read", "order-1", "--url", url, "--backwards", "--max", "1"]),
      runCli(["read", "order-1", "--url", url, "--from", "1", "--type", "Receipt"]),
      runCli(["read", "--all", "--url", url, "--prefix", "invoice-"]),
    ]);
    const stream = jsonLines<EventLine>(streamRun.stdout);
    expect(stream.map((e) => [e.revision, e.type])).toEqual([[0, "OrderPlaced"], [1, "OrderPaid"], [2, "Receipt"]]);
    expect(stream[0]).toMatchObject({ data: { total: 12 }, metadata: { correlationId: "c-1" }, contentType: "application/json" });
    expect(stream[2]).toMatchObject({ dataBase64: "AQID", schemaVersion: 2, contentType: "application/octet-stream" });
    expect(jsonLines<EventLine>(backwardsRun.stdout).map((e) => e.revision)).toEqual([2]);
    expect(jsonLines<EventLine>(fromRun.stdout).map((e) => e.type)).toEqual(["Receipt"]);
    expect(jsonLines<EventLine>(allRun.stdout).map((e) => e.streamId)).toEqual(["invoice-1"]);
    const after = jsonLines<EventLine>((await runCli(["read", "--all", "--url", url, "--from", stream[2]!.position])).stdout);
    expect(after.map((e) => e.streamId)).toEqual(["order-1", "invoice-1"]);
    // What read prints, append takes back: a copy of a stream through a pipe.
    const copied = await runCli(["append", "order-1", "--url", `sqlite:${temp.file("copy.db")}`], { input: streamRun.stdout });
    expect(copied.code).toBe(0);
    const again = jsonLines<EventLine>((await runCli(["read", "order-1", "--url", `sqlite:${temp.file("copy.db")}`])).stdout);
    expect(again.map((e) => [e.id, e.type, e.data, e.dataBase64, e.metadata])).toEqual(stream.map((e) => [e.id, e.type, e.data, e.dataBase64, e.metadata]));
  });

  it("a missing stream fails with one line (exit 1)", async () => {
    const result = await runCli(["read", "nope-1", "--url", url]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('switchyard: Stream "nope-1" was not found');
  });
});

describe("switchyard migrate", () => {
  it("creates a PostgreSQL schema and runs again without harm; a SQLite file is created; other backends are a usage error", async () => {
    const url = urlWithSchema(SHARED_URL, schema);
    for (let run = 0; run < 2; run++) {
      const result = await runCli(["migrate", url]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`PostgreSQL schema "${schema}"`);
    }
    const store = await connect(url);
    await store.append("m-1", [{ type: "A", data: {} }]);
    await store.close();
    expect((await runCli(["migrate", `sqlite:${temp.file("migrated.db")}`])).code).toBe(0);
    const memory = await runCli(["migrate", "memory:"]);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain("migrate is for the SQL stores");
  });
});

describe("the command line", () => {
  it("has an example in every command's --help, exits 2 on usage errors and on a bad URL, masks URLs", async () => {
    const commands = ["info", "read", "tail", "append", "migrate", "copy", "serve"];
    const [helps, maxZero, unknown, noUrl, badUrl] = await Promise.all([
      Promise.all(commands.map((command) => runCli([command, "--help"]))),
      runCli(["read", "x", "--max", "0", "--url", "memory:"]),
      runCli(["frobnicate"]),
      runCli(["info"], { env: { SWITCHYARD_URL: undefined } }),
      runCli(["info", "--url", "postgres://app:s3cret-pw@host/db?nonsense=1"]),
    ]);
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("Example:");
    }
    expect(maxZero.code).toBe(2);
    expect(unknown.code).toBe(2);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("set SWITCHYARD_URL");
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("postgres://app:***@host/db");
    expect(badUrl.stderr).not.toContain("s3cret-pw");
    const verbose = await runCli(["read", "nope", "--url", "memory:", "--verbose"]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/StreamNotFoundError[^\n]*\n\s+at /);
  });
});
