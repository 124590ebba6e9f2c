import { connect, createCommandHandler, createProjection, defineProjection, EventStreamCheckpointStore } from "../../src/index.js";
import { cart, cartEvents } from "./01-decider.js";

// #region guide
export async function projectCarts(url = process.env.SWITCHYARD_URL ?? "memory:") {
  const eventStream = await connect(url);
  const carts = createCommandHandler({ eventStream, decider: cart, events: cartEvents });
  const category = `cart${crypto.randomUUID().slice(0, 8)}`; // streams "<category>-<id>"

  // The read model: items sold per SKU, counted at checkout.
  const sold = new Map<string, number>();
  const pending = new Map<string, Record<string, number>>();
  const salesDefinition = defineProjection({
    name: `sales-${category}`,
    source: { category },
    events: cartEvents,
    reset: () => {
      sold.clear();
      pending.clear();
    },
    handlers: {
      ItemAdded: ({ data }, { streamId }) => {
        const items = pending.get(streamId) ?? {};
        pending.set(streamId, { ...items, [data.sku]: (items[data.sku] ?? 0) + data.quantity });
      },
      ItemRemoved: ({ data }, { streamId }) => {
        const { [data.sku]: _removed, ...items } = pending.get(streamId) ?? {};
        pending.set(streamId, items);
      },
      CheckedOut: (_event, { streamId }) => {
        for (const [sku, quantity] of Object.entries(pending.get(streamId) ?? {})) sold.set(sku, (sold.get(sku) ?? 0) + quantity);
        pending.delete(streamId);
      },
    },
    onError: { retries: 3, then: "dead-letter", deadLetterStream: `deadletters-${category}` },
  });
  const checkpoints = new EventStreamCheckpointStore(eventStream);

  await carts.handle(`${category}-1`, { type: "AddItem", sku: "tea", quantity: 2 });
  await carts.handle(`${category}-1`, { type: "CheckOut" });

  const sales = createProjection(salesDefinition, { eventStream, checkpoints });
  await sales.start();
  await sales.waitUntilCaughtUp();
  await sales.stop(); // saves the checkpoint

  // Later (another process, say): it resumes after the checkpoint, not from the start.
  await carts.handle(`${category}-2`, { type: "AddItem", sku: "tea", quantity: 1 });
  await carts.handle(`${category}-2`, { type: "CheckOut" });
  const resumed = createProjection(salesDefinition, { eventStream, checkpoints });
  await resumed.start();
  await resumed.waitUntilCaughtUp();
  const handledAfterRestart = resumed.stats.processed; // 2, not 4
  await resumed.stop();

  await eventStream.close();
  return { sold: Object.fromEntries(sold), handledAfterRestart };
}
// #endregion guide
