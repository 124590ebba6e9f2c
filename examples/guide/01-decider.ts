import { z } from "zod";
import { EventRegistry, type Decider, type EventsOf } from "../../src/index.js";

// #region guide
export const cartEvents = new EventRegistry()
  .register("ItemAdded", z.object({ sku: z.string().min(1), quantity: z.number().int().positive() }))
  .register("ItemRemoved", z.object({ sku: z.string().min(1) }))
  .register("CheckedOut", z.object({ items: z.number().int().positive() }));

export type CartEvent = EventsOf<typeof cartEvents>;

export type CartCommand =
  | { type: "AddItem"; sku: string; quantity: number }
  | { type: "RemoveItem"; sku: string }
  | { type: "CheckOut" };

export interface Cart {
  items: Record<string, number>;
  checkedOut: boolean;
}

export class CartError extends Error {}

export const cart: Decider<CartCommand, CartEvent, Cart> = {
  initialState: { items: {}, checkedOut: false },
  evolve(state, event) {
    switch (event.type) {
      case "ItemAdded": {
        const quantity = (state.items[event.data.sku] ?? 0) + event.data.quantity;
        return { ...state, items: { ...state.items, [event.data.sku]: quantity } };
      }
      case "ItemRemoved": {
        const { [event.data.sku]: _removed, ...items } = state.items;
        return { ...state, items };
      }
      case "CheckedOut":
        return { ...state, checkedOut: true };
    }
  },
  decide(command, state) {
    if (state.checkedOut) throw new CartError("The cart is checked out");
    switch (command.type) {
      case "AddItem":
        return [{ type: "ItemAdded", data: { sku: command.sku, quantity: command.quantity } }];
      case "RemoveItem":
        return command.sku in state.items ? [{ type: "ItemRemoved", data: { sku: command.sku } }] : [];
      case "CheckOut": {
        const items = Object.values(state.items).reduce((a, b) => a + b, 0);
        if (items === 0) throw new CartError("An empty cart cannot be checked out");
        return [{ type: "CheckedOut", data: { items } }];
      }
    }
  },
};
// #endregion guide
