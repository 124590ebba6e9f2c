// `npx tsx examples/bank/main.ts` runs the bank on SWITCHYARD_URL (memory by default).
import { runBankExample } from "./run.js";

await runBankExample();
