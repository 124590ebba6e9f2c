import { randomUUID } from "node:crypto";
import type {
  DriverDelivery,
  DriverPersistentConnection,
  PersistentDriver,
  ResolvedPersistentTarget,
  ValidPersistentSettings,
} from "../../core/driver.js";
import { ClosedError } from "../../core/errors.js";
import type { NackAction } from "../../core/event-stream.js";
import type { ChangeWatch } from "./change-watch.js";
import { mapSqliteError } from "./errors.js";
import { POSITION, type EventDecoder } from "./event-rows.js";
import type { GroupStore, Lease } from "./group-store.js";

/** Competing consumers over the file's groups, with EventStoreDB's ack/nack semantics. */
export class SqlitePersistentDriver implements PersistentDriver {
  constructor(
    private readonly groups: GroupStore,
    private readonly decoder: EventDecoder,
    private readonly watch: ChangeWatch,
  ) {}

  async create(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    this.#write("create a persistent subscription", () => this.groups.create(target, group, settings));
  }

  async update(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    this.#write("update a persistent subscription", () => this.groups.update(target, group, settings));
  }

  async delete(target: ResolvedPersistentTarget, group: string): Promise<void> {
    this.#write("delete a persistent subscription", () => this.groups.delete(target, group));
  }

  connect(target: ResolvedPersistentTarget, group: string, bufferSize: number, signal: AbortSignal): DriverPersistentConnection {
    const owner = randomUUID();
    let unsettled = 0;
    const self = this;
    async function* deliveries(): AsyncGenerator<DriverDelivery> {
      self.#write("connect to a persistent subscription", () => self.groups.assertExists(target, group));
      while (!signal.aborted) {
        const room = bufferSize - unsettled;
        const taken = room > 0 ? self.#write("take events", () => self.groups.take(target, group, owner, room)) : undefined;
        if (taken?.kind === "gone") throw new ClosedError(`Persistent subscription group "${group}" was deleted`);
        if (taken && taken.leases.length > 0) {
          for (const lease of taken.leases) {
            unsettled++;
            yield self.#delivery(target, group, owner, lease, () => unsettled--);
            if (signal.aborted) return;
          }
          continue;
        }
        // Nothing to take: sleep until a commit (an append, another consumer's nack) or the next lease expires.
        const untilExpiry = taken?.nextExpiry === undefined ? undefined : taken.nextExpiry - Date.now() + 1;
        await self.watch.wait(signal, untilExpiry);
      }
    }
    const iterator = deliveries();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        await iterator.return(undefined);
        try {
          this.groups.release(target, group, owner);
          this.watch.notify();
        } catch {
          // The store closed first: the leases expire on their own.
        }
      },
    };
  }

  #delivery(target: ResolvedPersistentTarget, group: string, owner: string, lease: Lease, release: () => void): DriverDelivery {
    let settled = false;
    const settle = (action: "ack" | NackAction) => {
      if (settled) return;
      settled = true;
      release();
      this.#write("settle an event", () => this.groups.settle(target, group, owner, lease.row[POSITION], action));
      this.watch.notify();
    };
    return {
      event: this.decoder.decode(lease.row),
      retryCount: lease.retryCount,
      ack: async () => settle("ack"),
      nack: async (action) => settle(action),
    };
  }

  #write<T>(operation: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw mapSqliteError(error, operation);
    }
  }
}
