import { afterAll, describe, expect, it } from "vitest";
import { runBankExample, type BankExampleResult } from "../../examples/bank/index.js";
import { availableBackends } from "./backends.js";

/** What the bank scenario must leave behind, whatever the backend. */
const EXPECTED_ACCOUNTS = {
  alice: { owner: "Alice", currency: "EUR", balance: -50_00, status: "open", deposits: 1, withdrawals: 1 },
  bob: { owner: "Bob", currency: "EUR", balance: 95_00, status: "open", deposits: 10, withdrawals: 0 },
  carol: { owner: "Carol", currency: "EUR", balance: 0, status: "closed", deposits: 1, withdrawals: 1 },
};
const EXPECTED_REFUSED = ["bob: InsufficientFundsError", "bob: AccountRuleError", "carol: AccountRuleError"];

describe("the bank example, unchanged on every backend", () => {
  const backends = availableBackends();
  const results = new Map<string, BankExampleResult>();
  afterAll(async () => {
    for (const backend of backends) await backend.stop();
  });

  for (const backend of backends) {
    it(`runs on ${backend.name}`, async () => {
      const lines: string[] = [];
      const result = await runBankExample(await backend.url(), { log: (line) => lines.push(line) });
      results.set(backend.name, result);
      expect(result.accounts).toEqual(EXPECTED_ACCOUNTS);
      expect(result.refused).toEqual(EXPECTED_REFUSED);
      expect(result.conflictsRetried).toBeGreaterThanOrEqual(0);
      expect(lines.join("\n")).toMatch(/already applied, skipped/);
      console.log(`[figures] bank on ${backend.name}: ${result.conflictsRetried} conflict(s) retried in the 8 racing deposits`);
    });
  }

  it("gives the same read model on every backend", () => {
    expect([...results.keys()]).toEqual(backends.map((b) => b.name));
    const [first, ...rest] = [...results.values()];
    for (const other of rest) expect(other.accounts).toEqual(first!.accounts);
  });

  it("uses SWITCHYARD_URL when no URL is given", async () => {
    const previous = process.env.SWITCHYARD_URL;
    process.env.SWITCHYARD_URL = "memory:";
    try {
      const result = await runBankExample(undefined, { log: () => undefined });
      expect(result.backend).toBe("memory");
      expect(result.accounts).toEqual(EXPECTED_ACCOUNTS);
    } finally {
      if (previous === undefined) delete process.env.SWITCHYARD_URL;
      else process.env.SWITCHYARD_URL = previous;
    }
  });
});
