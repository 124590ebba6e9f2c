import { defineProjection, type ProjectionDefinition } from "../../src/index.js";
import { accountEvents, type AccountEvent } from "./account.js";

/** One row of the read model. */
export interface AccountView {
  owner: string;
  currency: string;
  balance: number;
  status: "open" | "closed";
  deposits: number;
  withdrawals: number;
}

/** The read model: account name → its row. */
export type Balances = Map<string, AccountView>;

/**
 * Keeps `balances` up to date from every account of `category`. Handlers are idempotent per
 * event (they are keyed by the stream and applied in order), as at-least-once delivery needs.
 */
export function balancesProjection(name: string, category: string, balances: Balances): ProjectionDefinition<AccountEvent> {
  const row = (streamId: string): AccountView => {
    const view = balances.get(accountName(streamId));
    if (!view) throw new Error(`No AccountOpened seen for ${streamId}`);
    return view;
  };
  return defineProjection({
    name,
    source: { category },
    events: accountEvents,
    reset: () => balances.clear(),
    handlers: {
      AccountOpened: (event, recorded) => {
        const { owner, currency } = event.data;
        balances.set(accountName(recorded.streamId), { owner, currency, balance: 0, status: "open", deposits: 0, withdrawals: 0 });
      },
      MoneyDeposited: (event, recorded) => {
        const view = row(recorded.streamId);
        view.balance += event.data.amount;
        view.deposits++;
      },
      MoneyWithdrawn: (event, recorded) => {
        const view = row(recorded.streamId);
        view.balance -= event.data.amount;
        view.withdrawals++;
      },
      AccountClosed: (_event, recorded) => {
        row(recorded.streamId).status = "closed";
      },
    },
  });
}

/** "acct1a2b-alice" → "alice". */
export function accountName(streamId: string): string {
  return streamId.slice(streamId.indexOf("-") + 1);
}
