import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { handleCommands } from "../../examples/guide/02-handle-commands.js";
import { projectCarts } from "../../examples/guide/03-project.js";
import { snapshotCarts } from "../../examples/guide/04-snapshot.js";
import { versionEvents } from "../../examples/guide/05-version-events.js";
import { testCart } from "../../examples/guide/06-test.js";
import { availableBackends } from "./backends.js";

const GUIDE = readFileSync(new URL("../../docs/guide.md", import.meta.url), "utf8");
const SNIPPETS = ["01-decider", "02-handle-commands", "03-project", "04-snapshot", "05-version-events", "06-test"];

function region(file: string): string {
  const source = readFileSync(new URL(`../../examples/guide/${file}.ts`, import.meta.url), "utf8");
  const match = /\/\/ #region guide\n([\s\S]*?)\/\/ #endregion guide/.exec(source);
  if (!match) throw new Error(`examples/guide/${file}.ts has no "// #region guide" block`);
  return match[1]!;
}

describe("docs/guide.md", () => {
  it.each(SNIPPETS)("quotes examples/guide/%s.ts verbatim, so the code shown is the code tested", (file) => {
    expect(GUIDE).toContain(region(file));
  });

  it("runs the testing step's specs", async () => {
    await testCart();
  });
});

for (const backend of availableBackends()) {
  describe(`the guide's steps on ${backend.name}`, () => {
    afterAll(() => backend.stop());

    it("handles commands, with conflicts retried and a duplicate skipped", async () => {
      const result = await handleCommands(await backend.url());
      expect(result.items).toEqual({ tea: 2, cups: 1, milk: 1, sugar: 1, honey: 1, lemon: 1 });
      expect(result.revision).toBe(6n);
      expect(result.duplicate).toBe(true);
      expect(result.conflicts).toBeGreaterThanOrEqual(0);
    });

    it("projects, and resumes after the checkpoint", async () => {
      expect(await projectCarts(await backend.url())).toEqual({ sold: { tea: 3 }, handledAfterRestart: 2 });
    });

    it("snapshots every 50 events and loads from the latest", async () => {
      const result = await snapshotCarts(await backend.url());
      expect(result.snapshotsTaken).toEqual([49n, 99n]);
      expect(result.revision).toBe(119n);
      expect(result.eventsRead).toBe(20);
      expect(Object.values(result.items).reduce((a, b) => a + b, 0)).toBe(120);
    });

    it("upcasts v1 events and dead-letters an invalid one", async () => {
      expect(await versionEvents(await backend.url())).toEqual({
        upcast: { sku: "tea", quantity: 2, unitPriceCents: null },
        items: { tea: 2 },
        deadLetterField: "data.sku",
      });
    });
  });
}
