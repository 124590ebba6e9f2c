// The copy's write: each batch lands at its revisions with an expected revision; events an
// interrupted run already wrote are recognised by id, and other events in the way are a conflict.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appendAt, CopyConflictError } from "../../src/cli/copy/checked-append.js";
import { connect } from "../../src/connect.js";

const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ id: randomUUID(), type: "E", data: { i } }));

describe("appendAt", () => {
  for (const url of ["memory:", "sqlite::memory:"]) {
    it(`${url} skips the events already there with the same ids and writes the rest`, async () => {
      const store = await connect(url);
      const events = batch(5);
      await store.append("s-1", events.slice(0, 3));
      expect(await appendAt(store, "s-1", events.slice(1), 1n)).toEqual({ written: 2, alreadyThere: 2 });
      const ids: string[] = [];
      for await (const event of store.read("s-1")) ids.push(event.id);
      expect(ids).toEqual(events.map((e) => e.id));
      await store.close();
    });

    it(`${url} refuses to write over other events, or where the stream is behind`, async () => {
      const store = await connect(url);
      await store.append("s-2", batch(2));
      await expect(appendAt(store, "s-2", batch(2), 1n)).rejects.toThrow(CopyConflictError);
      await expect(appendAt(store, "s-2", batch(1), 4n)).rejects.toThrow(/at 1 where the copy expected revision 3/);
      await store.close();
    });
  }
});
