import { readFileSync } from "node:fs";
import * as vitest from "vitest";
import { describe, expect, it } from "vitest";
import { useJournal } from "../../examples/custom-backend/index.js";
import { journalBackend } from "../../examples/custom-backend/journal-backend.js";
import { connect, parseConnectTarget } from "../../src/connect.js";
import { runConformanceSuite } from "../../src/testing/index.js";

const ARCHITECTURE = readFileSync(new URL("../../docs/architecture.md", import.meta.url), "utf8");

function region(file: string, name: string): string {
  const source = readFileSync(new URL(`../../examples/custom-backend/${file}`, import.meta.url), "utf8");
  const match = new RegExp(`// #region ${name}\\n([\\s\\S]*?)// #endregion ${name}`).exec(source);
  if (!match) throw new Error(`examples/custom-backend/${file} has no "${name}" region`);
  return match[1]!;
}

// The third-party backend docs/architecture.md shows, plugged in exactly as a user would.
runConformanceSuite(vitest, {
  name: "journal (third-party example backend)",
  capabilities: (await connect("journal:", { backends: [journalBackend] })).capabilities,
  create: () => connect("journal:", { backends: [journalBackend] }),
});

describe("a third-party backend", () => {
  it("is quoted verbatim in docs/architecture.md, so the code shown is the code tested", () => {
    expect(ARCHITECTURE).toContain(region("journal-driver.ts", "driver"));
    expect(ARCHITECTURE).toContain(region("journal-backend.ts", "backend"));
    expect(ARCHITECTURE).toContain(region("index.ts", "use"));
  });

  it("is chosen by its scheme or its config name, and unknown without being handed in", async () => {
    expect(await useJournal()).toEqual(["OrderPlaced"]);
    const byConfig = await connect({ backend: "journal" }, { backends: [journalBackend] });
    expect(byConfig.capabilities.backend).toBe("journal");
    await byConfig.close();
    expect(parseConnectTarget("journal:", { backends: [journalBackend] })).toEqual({ backend: "journal" });
    expect(() => parseConnectTarget("journal:")).toThrow(/Unknown scheme "journal:"/);
  });

  it("meets core's rules without implementing them: a closed store, a bad name, a $ type", async () => {
    const store = await connect("journal:", { backends: [journalBackend] });
    await expect(store.append("", [{ type: "t", data: {} }])).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(store.append("a-1", [{ type: "$x", data: {} }])).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(store.delete("a-1")).rejects.toMatchObject({ code: "UNSUPPORTED_OPERATION", capability: "delete" });
    await store.close();
    await expect(store.append("a-1", [{ type: "t", data: {} }])).rejects.toMatchObject({ code: "CLOSED" });
  });
});
