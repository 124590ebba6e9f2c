import { z } from "zod";
import { connect, createCommandHandler, readDeadLetters } from "../../src/index.js";
import { cart, cartEvents } from "./01-decider.js";

// #region guide
// Version 2 of ItemAdded records the price. Events stored as v1 are lifted on read.
export const cartEventsV2 = cartEvents.upgrade(
  "ItemAdded",
  z.object({ sku: z.string().min(1), quantity: z.number().int().positive(), unitPriceCents: z.number().int().nullable() }),
  (v1) => ({ ...v1, unitPriceCents: null }), // v1 did not know the price
);

export async function versionEvents(url = process.env.SWITCHYARD_URL ?? "memory:") {
  const eventStream = await connect(url);
  const stream = `cart-${crypto.randomUUID()}`;
  const deadLetterStream = `deadletters-${crypto.randomUUID()}`;

  // Yesterday's code wrote v1 events (and a bad one slipped in).
  const yesterday = createCommandHandler({ eventStream, decider: cart, events: cartEvents });
  await yesterday.handle(stream, { type: "AddItem", sku: "tea", quantity: 2 });
  await eventStream.append(stream, [{ type: "ItemAdded", data: { sku: "", quantity: 1 }, schemaVersion: 1 }]);

  // Today's code reads every event in the v2 shape and parks the invalid one.
  const [v1] = await collect(eventStream.read(stream, { maxCount: 1 }));
  const upcast = cartEventsV2.decodeOrThrow(v1!); // { sku: "tea", quantity: 2, unitPriceCents: null }
  const today = createCommandHandler({
    eventStream,
    decider: cart, // evolve ignores the new field
    events: cartEventsV2,
    invalidEvents: { onInvalid: "dead-letter", deadLetterStream },
  });
  const loaded = await today.load(stream);
  const [letter] = await readDeadLetters(eventStream, deadLetterStream);

  await eventStream.close();
  return { upcast: upcast.data, items: loaded.state.items, deadLetterField: letter?.error.field };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
// #endregion guide
