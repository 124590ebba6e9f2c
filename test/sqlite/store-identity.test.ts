import { afterAll, describe, expect, it } from "vitest";
import { createSqliteEventStream } from "../../src/adapters/sqlite/index.js";
import { collect, take } from "../../src/testing/conformance/context.js";
import { tempDirectory } from "./temp-files.js";

const temp = tempDirectory("identity");
afterAll(() => temp.remove());

describe("sqlite: positions name their store", () => {
  it("a checkpoint saved on one run resumes on the next; one from another file is refused", async () => {
    const file = temp.file("a.db");
    const first = await createSqliteEventStream({ path: file });
    await first.append("order-1", [{ type: "placed", data: { n: 1 } }, { type: "paid", data: { n: 2 } }]);
    const [placed] = await collect(first.readAll({ maxCount: 1 }));
    const checkpoint = placed!.position.toString();
    expect(checkpoint).toBe(`sqlite:${first.storeId}/1`);
    await first.close();

    const again = await createSqliteEventStream({ path: file });
    const subscription = again.subscribe("$all", { from: checkpoint });
    expect((await take(subscription, 1, 5_000)).map((e) => e.type)).toEqual(["paid"]);
    await subscription.close();
    await again.close();

    const other = await createSqliteEventStream({ path: temp.file("b.db") });
    await other.append("order-1", [{ type: "placed", data: {} }]);
    expect(other.storeId).not.toBe(placed!.position.parts[0]);
    const refused = { code: "VALIDATION", message: expect.stringContaining("belongs to another sqlite store") };
    await expect(collect(other.readAll({ from: checkpoint }))).rejects.toMatchObject(refused);
    await expect(collect(other.subscribe("$all", { from: checkpoint }))).rejects.toMatchObject(refused);
    await expect(other.persistentSubscriptions.create({ all: true }, "g", { startFrom: checkpoint })).rejects.toMatchObject(refused);
    await other.close();
  });
});
