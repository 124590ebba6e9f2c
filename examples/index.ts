/**
 * `npm start`: the quickstart, then the bank domain example, both on the backend named by
 * SWITCHYARD_URL (memory by default).
 */
import { runAdventure } from "./adventure.js";
import { runBankExample } from "./bank/index.js";

async function main(): Promise<void> {
  await runAdventure();
  console.log("");
  await runBankExample();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
