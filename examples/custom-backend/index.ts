import { connect } from "../../src/index.js";
import { journalBackend } from "./journal-backend.js";

// #region use
export async function useJournal() {
  const store = await connect("journal:", { backends: [journalBackend] });
  await store.append("order-1", [{ type: "OrderPlaced", data: { total: 42 } }]);
  const types: string[] = [];
  for await (const event of store.read("order-1")) types.push(event.type);
  await store.close();
  return types;
}
// #endregion use
