/** `npm start`: the quickstart, on the backend named by SWITCHYARD_URL (memory by default). */
import { runAdventure } from "./adventure.js";

async function main(): Promise<void> {
  await runAdventure();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
