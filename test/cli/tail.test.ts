// `switchyard tail` follows a store live: an event appended by another process (`switchyard append`)
// shows up, and Ctrl-C (SIGINT) ends it cleanly with exit 0.
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, spawnCli, tempDirectory } from "./cli.js";

const temp = tempDirectory("tail");
afterAll(() => temp.remove());

describe("switchyard tail", () => {
  it("sees an append made by another process, and stops on Ctrl-C", async () => {
    const url = `sqlite:${temp.file("events.db")}`;
    expect((await runCli(["append", "order-1", "--url", url, "--type", "OrderPlaced", "--data", '{"n":1}'])).code).toBe(0);
    const tail = spawnCli(["tail", "--category", "order", "--from", "start"], { env: { SWITCHYARD_URL: url } });
    const exited = new Promise<number | null>((done) => tail.once("exit", (code) => done(code)));
    const lines = createInterface({ input: tail.stdout! })[Symbol.asyncIterator]();
    let stderr = "";
    const following = new Promise<void>((done) =>
      tail.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        if (stderr.includes("following")) done();
      }),
    );
    const first = JSON.parse((await lines.next()).value as string) as { type: string; revision: number };
    expect(first).toMatchObject({ type: "OrderPlaced", revision: 0 });
    await following;
    expect(stderr).toContain(`following category order at ${url}`);

    const appended = await runCli(["append", "order-2", "--url", url, "--type", "OrderShipped", "--data", '{"n":2}', "--expected-revision", "no_stream"]);
    expect(appended.code).toBe(0);
    const live = JSON.parse((await lines.next()).value as string) as { streamId: string; type: string; data: unknown };
    expect(live).toMatchObject({ streamId: "order-2", type: "OrderShipped", data: { n: 2 } });

    tail.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});
