import { connect, createCommandHandler } from "../../src/index.js";
import { cart, cartEvents } from "./01-decider.js";

// #region guide
export async function handleCommands(url = process.env.SWITCHYARD_URL ?? "memory:") {
  const eventStream = await connect(url);
  const carts = createCommandHandler({ eventStream, decider: cart, events: cartEvents });
  const stream = `cart-${crypto.randomUUID()}`;

  await carts.handle(stream, { type: "AddItem", sku: "tea", quantity: 2 });

  // Five shoppers add at once: each conflict reloads the stream and decides again.
  const racing = await Promise.all(
    ["cups", "milk", "sugar", "honey", "lemon"].map((sku) => carts.handle(stream, { type: "AddItem", sku, quantity: 1 })),
  );

  // A retried request with the same command id is applied once.
  const commandId = crypto.randomUUID();
  const checkout = await carts.handle(stream, { type: "CheckOut" }, { commandId, correlationId: "order-42" });
  const retried = await carts.handle(stream, { type: "CheckOut" }, { commandId });

  await eventStream.close();
  return {
    items: checkout.state.items,
    revision: checkout.nextExpectedRevision, // 6n: seven events, 0-based
    conflicts: racing.reduce((sum, result) => sum + result.conflicts, 0),
    duplicate: retried.duplicate, // true
  };
}
// #endregion guide
