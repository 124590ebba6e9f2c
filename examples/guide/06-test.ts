import { deciderSpec, projectionSpec } from "../../src/testing/index.js";
import { defineProjection } from "../../src/index.js";
import { cart, cartEvents, CartError } from "./01-decider.js";

// #region guide
const spec = deciderSpec(cart, { events: cartEvents });

export async function testCart() {
  await spec
    .given([{ type: "ItemAdded", data: { sku: "tea", quantity: 2 } }])
    .when({ type: "CheckOut" })
    .then([{ type: "CheckedOut", data: { items: 2 } }]);

  await spec.given([]).when({ type: "CheckOut" }).then(CartError);

  await spec
    .given([{ type: "CheckedOut", data: { items: 1 } }])
    .when({ type: "AddItem", sku: "tea", quantity: 1 })
    .then(new CartError("The cart is checked out"));

  const itemsPerCart = projectionSpec(() => {
    const counts = new Map<string, number>();
    const projection = defineProjection({
      name: "items-per-cart",
      source: { category: "cart" },
      events: cartEvents,
      handlers: {
        ItemAdded: ({ data }, { streamId }) => void counts.set(streamId, (counts.get(streamId) ?? 0) + data.quantity),
      },
    });
    return { projection, readModel: () => counts };
  });

  await itemsPerCart
    .given([
      { streamId: "cart-1", type: "ItemAdded", data: { sku: "tea", quantity: 2 } },
      { streamId: "cart-2", type: "ItemAdded", data: { sku: "cups", quantity: 1 } },
      { streamId: "cart-1", type: "ItemAdded", data: { sku: "milk", quantity: 1 } },
    ])
    .then(new Map([["cart-1", 3], ["cart-2", 1]]));
}
// #endregion guide
