import { randomBytes, randomUUID } from "node:crypto";
import {
  connect,
  createCommandHandler,
  createProjection,
  EventStreamCheckpointStore,
  type EventStream,
} from "../../src/index.js";
import { account, accountEvents, AccountRuleError, InsufficientFundsError, type AccountCommand } from "./account.js";
import { balancesProjection, type AccountView } from "./balances.js";

export interface BankExampleOptions {
  /** Where each log line goes; console.log by default. */
  readonly log?: (line: string) => void;
  /** Names this run's streams (letters and digits); random by default, so runs never meet. */
  readonly runId?: string;
}

export interface BankExampleResult {
  /** The read model, keyed by account name: the same on every backend. */
  readonly accounts: Record<string, AccountView>;
  /** Conflicts the command handler retried during the concurrent deposits (varies per run). */
  readonly conflictsRetried: number;
  /** Commands refused by a business rule, as "<account>: <error name>". */
  readonly refused: readonly string[];
  readonly backend: string;
}

/**
 * The bank: three accounts, deposits and withdrawals (one refused for insufficient funds, one
 * sent twice and applied once), eight concurrent deposits racing for the same account, a closed
 * account, snapshots every 5 events, and a balances projection checkpointed in the event store.
 * Runs unchanged on whatever `url` (or SWITCHYARD_URL) names.
 */
export async function runBankExample(url?: string, options: BankExampleOptions = {}): Promise<BankExampleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runId = options.runId ?? randomBytes(4).toString("hex");
  const eventStream = await connect(url ?? process.env.SWITCHYARD_URL ?? "memory:");
  try {
    return await scenario(eventStream, runId, log);
  } finally {
    await eventStream.close();
  }
}

async function scenario(eventStream: EventStream, runId: string, log: (line: string) => void): Promise<BankExampleResult> {
  const category = `acct${runId}`;
  const stream = (name: string) => `${category}-${name}`;
  log(`bank: running on ${eventStream.capabilities.backend}, accounts in category "${category}"`);

  const accounts = createCommandHandler({
    eventStream,
    decider: account,
    events: accountEvents,
    snapshots: { every: 5, version: 1 },
  });
  const refused: string[] = [];
  const send = async (name: string, command: AccountCommand, commandId?: string) => {
    try {
      const result = await accounts.handle(stream(name), command, commandId ? { commandId } : {});
      const what = result.duplicate ? "already applied, skipped" : `${result.events.map((e) => e.type).join(", ") || "no change"}`;
      log(`  ${name.padEnd(5)} ${command.type.padEnd(12)} → ${what} (balance ${formatCents(result.state.balance)})`);
      return result;
    } catch (error) {
      if (!(error instanceof AccountRuleError || error instanceof InsufficientFundsError)) throw error;
      refused.push(`${name}: ${error.name}`);
      log(`  ${name.padEnd(5)} ${command.type.padEnd(12)} → refused: ${error.message}`);
      return undefined;
    }
  };

  await send("alice", { type: "OpenAccount", owner: "Alice", currency: "EUR", overdraftLimit: 100_00 });
  await send("bob", { type: "OpenAccount", owner: "Bob", currency: "EUR", overdraftLimit: 0 });
  await send("alice", { type: "Deposit", amount: 250_00, currency: "EUR" });
  await send("bob", { type: "Deposit", amount: 40_00, currency: "EUR" });
  await send("alice", { type: "Withdraw", amount: 300_00, currency: "EUR" });
  await send("bob", { type: "Withdraw", amount: 100_00, currency: "EUR" });
  await send("bob", { type: "Deposit", amount: 10_00, currency: "USD" });

  // A client that retries after a timeout sends the same command id twice: applied once.
  const paymentId = randomUUID();
  await send("bob", { type: "Deposit", amount: 15_00, currency: "EUR" }, paymentId);
  await send("bob", { type: "Deposit", amount: 15_00, currency: "EUR" }, paymentId);

  // Eight deposits race for Bob's account: losers reload and retry on the new revision.
  const racing = await Promise.all(
    Array.from({ length: 8 }, () => accounts.handle(stream("bob"), { type: "Deposit", amount: 5_00, currency: "EUR" })),
  );
  const conflictsRetried = racing.reduce((sum, r) => sum + r.conflicts, 0);
  log(`  bob   8 concurrent deposits → all applied, ${conflictsRetried} conflict(s) retried`);

  await send("carol", { type: "OpenAccount", owner: "Carol", currency: "EUR", overdraftLimit: 0 });
  await send("carol", { type: "Deposit", amount: 20_00, currency: "EUR" });
  await send("carol", { type: "CloseAccount", reason: "moving abroad" });
  await send("carol", { type: "Withdraw", amount: 20_00, currency: "EUR" });
  await send("carol", { type: "CloseAccount", reason: "moving abroad" });

  const balances = new Map<string, AccountView>();
  const projection = createProjection(balancesProjection(`balances-${runId}`, category, balances), {
    eventStream,
    checkpoints: new EventStreamCheckpointStore(eventStream),
  });
  // The read model lives in this process: replay every account from the start, or a checkpoint
  // stored by an earlier run on a durable backend would leave out what that run wrote.
  await projection.rebuild();
  try {
    await projection.waitUntilCaughtUp();
  } finally {
    await projection.stop();
  }
  log("bank: balances read model");
  for (const [name, view] of [...balances].sort(([a], [b]) => a.localeCompare(b))) {
    log(`  ${name.padEnd(5)} ${view.owner.padEnd(6)} ${formatCents(view.balance).padStart(9)} ${view.currency} ${view.status}`);
  }
  return {
    accounts: Object.fromEntries([...balances].sort(([a], [b]) => a.localeCompare(b))),
    conflictsRetried,
    refused,
    backend: eventStream.capabilities.backend,
  };
}

function formatCents(cents: number): string {
  return `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
}
