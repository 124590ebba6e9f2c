/**
 * `npm start`: the quickstart, then the bank domain example, both on the backend named by
 * SWITCHYARD_URL (memory by default). The bank keeps the same accounts from run to run, so on a
 * durable store (`SWITCHYARD_URL=sqlite:./bank.db npm start`, twice) the second run starts from
 * the balances the first one left.
 */
import { runAdventure } from "./adventure.js";
import { runBankExample } from "./bank/index.js";

async function main(): Promise<void> {
  await runAdventure();
  console.log("");
  await runBankExample(undefined, { runId: "demo" });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
