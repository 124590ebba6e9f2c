import { AssertionError } from "node:assert";
import { describe, expect, it } from "vitest";
import { aggregateDecider } from "../../src/core/domain/index.js";
import { deciderSpec, projectionSpec } from "../../src/testing/index.js";
import { account, accountEvents, AccountRuleError, InsufficientFundsError } from "../../examples/bank/account.js";
import { balancesProjection, type AccountView } from "../../examples/bank/balances.js";
import { CounterAggregate, counterEvents } from "./fixtures.js";

const opened = { type: "AccountOpened", data: { owner: "Ada", currency: "EUR", overdraftLimit: 1000 } } as const;
const deposited = (amount: number) => ({ type: "MoneyDeposited", data: { amount, currency: "EUR" } }) as const;
const spec = deciderSpec(account, { events: accountEvents });

describe("decider spec: the bank account", () => {
  it("opens an account once", async () => {
    await spec.given([]).when({ type: "OpenAccount", owner: "Ada", currency: "EUR", overdraftLimit: 1000 }).then([opened]);
    await spec.given([opened]).when({ type: "OpenAccount", owner: "Ada", currency: "EUR", overdraftLimit: 1000 }).then(AccountRuleError);
  });

  it("withdraws within the overdraft limit and no further", async () => {
    await spec.given([opened, deposited(500)]).when({ type: "Withdraw", amount: 1500, currency: "EUR" }).then([
      { type: "MoneyWithdrawn", data: { amount: 1500, currency: "EUR" } },
    ]);
    await spec
      .given([opened, deposited(500)])
      .when({ type: "Withdraw", amount: 1501, currency: "EUR" })
      .then(new InsufficientFundsError(500, 1501, 1000));
  });

  it("sees upcast v1 deposits in the newest shape", async () => {
    await spec
      .given([opened, { type: "MoneyDeposited", data: { amount: 300 }, schemaVersion: 1 }])
      .when({ type: "Withdraw", amount: 1300, currency: "EUR" })
      .then([{ type: "MoneyWithdrawn", data: { amount: 1300, currency: "EUR" } }]);
  });

  it("closes only at a zero balance, and closing twice changes nothing", async () => {
    await spec.given([opened, deposited(1)]).when({ type: "CloseAccount", reason: "x" }).then(new AccountRuleError("NON_ZERO_BALANCE", "The balance is 1, not 0"));
    const closed = { type: "AccountClosed", data: { reason: "x" } } as const;
    await spec.given([opened]).when({ type: "CloseAccount", reason: "x" }).then([closed]);
    await spec.given([opened, closed]).when({ type: "CloseAccount", reason: "again" }).then([]);
    await spec.given([opened, closed]).when({ type: "Deposit", amount: 1, currency: "EUR" }).then(AccountRuleError);
  });

  it("fails when the outcome differs from the expectation", async () => {
    await expect(spec.given([opened]).when({ type: "Deposit", amount: 5, currency: "EUR" }).then([deposited(6)])).rejects.toBeInstanceOf(AssertionError);
    await expect(spec.given([opened]).when({ type: "Deposit", amount: 5, currency: "EUR" }).then(AccountRuleError)).rejects.toThrow(/Expected an error/);
    await expect(spec.given([]).when({ type: "Deposit", amount: 5, currency: "EUR" }).then([deposited(5)])).rejects.toThrow(/command threw/);
    await expect(spec.given([]).when({ type: "Deposit", amount: 5, currency: "EUR" }).then(InsufficientFundsError)).rejects.toThrow(/Expected a InsufficientFundsError/);
    await expect(spec.given([]).when({ type: "Deposit", amount: 5, currency: "EUR" }).then(new AccountRuleError("NOT_OPEN", "other"))).rejects.toBeInstanceOf(AssertionError);
  });

  it("reports a spec awaited without an expectation instead of passing it", async () => {
    const scenario = spec.given([]).when({ type: "Deposit", amount: 5, currency: "EUR" });
    await expect((async () => await (scenario as unknown as Promise<void>))()).rejects.toThrow(/without an expectation/);
  });

  it("runs class-based aggregates too", async () => {
    const counterSpec = deciderSpec(aggregateDecider(CounterAggregate), { events: counterEvents });
    await counterSpec.given([{ type: "Added", data: { by: 1 } }]).when((c) => c.add(2)).then([{ type: "Added", data: { by: 2 } }]);
    await counterSpec.given([]).when((c) => c.add(0)).then(RangeError);
  });
});

describe("projection spec: balances", () => {
  const balancesSpec = projectionSpec(() => {
    const balances = new Map<string, AccountView>();
    return { projection: balancesProjection("balances", "acct", balances), readModel: () => balances };
  });

  it("builds the read model from the given events", async () => {
    await balancesSpec
      .given([
        { streamId: "acct-ada", ...opened },
        { streamId: "acct-ada", ...deposited(700) },
        { streamId: "acct-bob", type: "AccountOpened", data: { owner: "Bob", currency: "EUR", overdraftLimit: 0 } },
        { streamId: "acct-ada", type: "MoneyWithdrawn", data: { amount: 200, currency: "EUR" } },
        { streamId: "acct-bob", type: "MoneyDeposited", data: { amount: 5 }, schemaVersion: 1 },
        { streamId: "other-ada", ...deposited(1) },
      ])
      .then(
        new Map([
          ["ada", { owner: "Ada", currency: "EUR", balance: 500, status: "open", deposits: 1, withdrawals: 1 }],
          ["bob", { owner: "Bob", currency: "EUR", balance: 5, status: "open", deposits: 1, withdrawals: 0 }],
        ]),
      );
  });

  it("fails when the read model differs, and when a handler fails", async () => {
    await expect(balancesSpec.given([{ streamId: "acct-ada", ...opened }]).then(new Map())).rejects.toBeInstanceOf(AssertionError);
    await expect(balancesSpec.given([{ streamId: "acct-ada", ...deposited(1) }]).then(new Map())).rejects.toThrow(/No AccountOpened seen/);
  });
});
