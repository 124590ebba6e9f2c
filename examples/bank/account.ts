import { z } from "zod";
import { EventRegistry, type Decider, type EventsOf } from "../../src/index.js";

// Money is in integer cents: no floating-point surprises in balances.
const cents = z.number().int();
const positiveCents = cents.positive();
const currency = z.string().regex(/^[A-Z]{3}$/);

/**
 * The account's events. MoneyDeposited is at version 2: version 1 had no currency, and its
 * upcaster lifts old deposits (all in euros at the time) into the new shape on read.
 */
export const accountEvents = new EventRegistry()
  .register("AccountOpened", z.object({ owner: z.string().min(1), currency, overdraftLimit: cents.nonnegative() }))
  .register("MoneyDeposited", z.object({ amount: positiveCents }))
  .upgrade("MoneyDeposited", z.object({ amount: positiveCents, currency }), (v1) => ({ ...v1, currency: "EUR" }))
  .register("MoneyWithdrawn", z.object({ amount: positiveCents, currency }))
  .register("AccountClosed", z.object({ reason: z.string() }));

export type AccountEvent = EventsOf<typeof accountEvents>;

export type AccountCommand =
  | { readonly type: "OpenAccount"; readonly owner: string; readonly currency: string; readonly overdraftLimit: number }
  | { readonly type: "Deposit"; readonly amount: number; readonly currency: string }
  | { readonly type: "Withdraw"; readonly amount: number; readonly currency: string }
  | { readonly type: "CloseAccount"; readonly reason: string };

export interface AccountState {
  readonly status: "new" | "open" | "closed";
  readonly owner: string;
  readonly currency: string;
  readonly balance: number;
  readonly overdraftLimit: number;
}

/** A broken business rule. `code` tells callers which one. */
export class AccountRuleError extends Error {
  constructor(
    readonly code: "ALREADY_OPEN" | "NOT_OPEN" | "CLOSED" | "INVALID_AMOUNT" | "CURRENCY_MISMATCH" | "NON_ZERO_BALANCE",
    message: string,
  ) {
    super(message);
    this.name = "AccountRuleError";
  }
}

export class InsufficientFundsError extends Error {
  constructor(
    readonly balance: number,
    readonly requested: number,
    readonly overdraftLimit: number,
  ) {
    super(`Cannot withdraw ${requested}: balance ${balance}, overdraft limit ${overdraftLimit}`);
    this.name = "InsufficientFundsError";
  }
}

export const account: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: { status: "new", owner: "", currency: "", balance: 0, overdraftLimit: 0 },

  evolve(state, event) {
    switch (event.type) {
      case "AccountOpened":
        return { ...state, status: "open", ...event.data };
      case "MoneyDeposited":
        return { ...state, balance: state.balance + event.data.amount };
      case "MoneyWithdrawn":
        return { ...state, balance: state.balance - event.data.amount };
      case "AccountClosed":
        return { ...state, status: "closed" };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case "OpenAccount":
        if (state.status !== "new") throw new AccountRuleError("ALREADY_OPEN", "The account is already open");
        return [{ type: "AccountOpened", data: { owner: command.owner, currency: command.currency, overdraftLimit: command.overdraftLimit } }];
      case "Deposit":
        assertMovable(state, command.amount, command.currency);
        return [{ type: "MoneyDeposited", data: { amount: command.amount, currency: command.currency } }];
      case "Withdraw":
        assertMovable(state, command.amount, command.currency);
        if (state.balance - command.amount < -state.overdraftLimit) {
          throw new InsufficientFundsError(state.balance, command.amount, state.overdraftLimit);
        }
        return [{ type: "MoneyWithdrawn", data: { amount: command.amount, currency: command.currency } }];
      case "CloseAccount":
        if (state.status === "closed") return []; // closing twice changes nothing
        if (state.status !== "open") throw new AccountRuleError("NOT_OPEN", "The account is not open");
        if (state.balance !== 0) throw new AccountRuleError("NON_ZERO_BALANCE", `The balance is ${state.balance}, not 0`);
        return [{ type: "AccountClosed", data: { reason: command.reason } }];
    }
  },
};

function assertMovable(state: AccountState, amount: number, currency: string): void {
  if (state.status === "new") throw new AccountRuleError("NOT_OPEN", "The account is not open");
  if (state.status === "closed") throw new AccountRuleError("CLOSED", "The account is closed");
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new AccountRuleError("INVALID_AMOUNT", `Amount must be positive cents, got ${amount}`);
  if (currency !== state.currency) {
    throw new AccountRuleError("CURRENCY_MISMATCH", `The account holds ${state.currency}, not ${currency}`);
  }
}
