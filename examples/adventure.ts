/**
 * The quickstart: writes the "adventure" stream of the photon-pump example (a player_created
 * event), reads it back, and follows it with a subscription. Runs on the backend named by
 * SWITCHYARD_URL, memory by default.
 */
import { connect } from "../src/index.js";

export async function runAdventure(url = process.env.SWITCHYARD_URL ?? "memory:"): Promise<void> {
  const store = await connect(url);
  try {
    console.log(`switchyard quickstart on ${store.capabilities.backend}`);
    const stream = "adventure";

    const { nextExpectedRevision } = await store.append(stream, [
      { type: "player_created", data: { name: "Bilbo", race: "hobbit", createdAt: new Date() } },
    ]);
    console.log(`appended player_created to ${stream} at revision ${nextExpectedRevision}`);

    for await (const event of store.read(stream, { from: nextExpectedRevision })) {
      console.log(`read  #${event.revision} ${event.type}`, event.data);
    }

    // Follow from just before our event, so a re-run on a persistent backend skips older runs.
    const subscription = store.subscribe(stream, {
      from: nextExpectedRevision === 0n ? "start" : nextExpectedRevision - 1n,
    });
    const follower = (async () => {
      for await (const event of subscription) {
        console.log(`saw   #${event.revision} ${event.type}`, event.data);
        if (event.type === "quest_started") break;
      }
    })();
    await subscription.caughtUp;
    console.log("subscription caught up; appending a live event");
    await store.append(stream, [{ type: "quest_started", data: { quest: "There and back again" } }]);
    await follower;
  } finally {
    await store.close();
  }
}
