import { connect, createCommandHandler } from "../../src/index.js";
import { cart, cartEvents } from "./01-decider.js";

// #region guide
export async function snapshotCarts(url = process.env.SWITCHYARD_URL ?? "memory:") {
  const eventStream = await connect(url);
  const carts = createCommandHandler({
    eventStream,
    decider: cart,
    events: cartEvents,
    // After every 50 events, store the state in the stream "snapshot.<stream>".
    // Bump `version` whenever the state's shape changes: older snapshots are then ignored.
    snapshots: { every: 50, version: 1 },
  });
  const stream = `cart-${crypto.randomUUID()}`;
  const snapshotsTaken: bigint[] = [];
  for (let i = 0; i < 120; i++) {
    const result = await carts.handle(stream, { type: "AddItem", sku: `sku-${i % 7}`, quantity: 1 });
    if (result.snapshotRevision !== undefined) snapshotsTaken.push(result.snapshotRevision);
  }
  // Loading reads the latest snapshot (one event, read backward) and the 20 events after it.
  const loaded = await carts.load(stream);
  await eventStream.close();
  return { snapshotsTaken, eventsRead: loaded.eventsRead, revision: loaded.revision, items: loaded.state.items };
}
// #endregion guide
