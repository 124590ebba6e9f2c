import type { CapabilityName } from "./capabilities.js";
import type { DriverDelivery, EventStoreDriver } from "./driver.js";
import { ValidationError } from "./errors.js";
import type {
  NackAction,
  PersistentDelivery,
  PersistentSubscription,
  PersistentSubscriptionSettings,
  PersistentSubscriptions,
  PersistentTarget,
} from "./event-stream.js";
import { deliveryTracer, targetDestination } from "./observability/traced-operations.js";
import type { OtelTracing } from "./observability/tracing.js";
import { checkPersistentSettings, resolvePersistentTarget } from "./requests.js";

type CapabilityCheck = (capability: CapabilityName) => void;

/** The port's persistent subscriptions: targets, groups, settings and nack actions checked before the driver sees them. */
export class RuntimePersistentSubscriptions implements PersistentSubscriptions {
  readonly #driver: EventStoreDriver;
  readonly #closing: AbortSignal;
  readonly #assertOpen: () => void;
  readonly #assertCapable: CapabilityCheck;
  readonly #tracing: () => OtelTracing | undefined;

  constructor(
    driver: EventStoreDriver,
    closing: AbortSignal,
    assertOpen: () => void,
    assertCapable: CapabilityCheck,
    tracing: () => OtelTracing | undefined = () => undefined,
  ) {
    this.#driver = driver;
    this.#tracing = tracing;
    this.#closing = closing;
    this.#assertOpen = assertOpen;
    this.#assertCapable = assertCapable;
  }

  async create(target: PersistentTarget, group: string, settings?: PersistentSubscriptionSettings): Promise<void> {
    const resolved = this.#check(target, group);
    const valid = checkPersistentSettings(settings, resolved, this.#driver.capabilities.backend, this.#driver.positionParts);
    return this.#driver.persistent!.create(resolved, group, valid);
  }

  async update(target: PersistentTarget, group: string, settings: PersistentSubscriptionSettings): Promise<void> {
    const resolved = this.#check(target, group);
    const valid = checkPersistentSettings(settings, resolved, this.#driver.capabilities.backend, this.#driver.positionParts);
    return this.#driver.persistent!.update(resolved, group, valid);
  }

  async delete(target: PersistentTarget, group: string): Promise<void> {
    return this.#driver.persistent!.delete(this.#check(target, group), group);
  }

  connect(target: PersistentTarget, group: string, options: { bufferSize?: number } = {}): PersistentSubscription {
    const resolved = this.#check(target, group);
    const bufferSize = options.bufferSize ?? 10;
    if (typeof bufferSize !== "number" || !Number.isSafeInteger(bufferSize) || bufferSize <= 0) {
      throw new ValidationError("bufferSize must be a positive integer", "bufferSize");
    }
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, this.#closing]);
    const connection = this.#driver.persistent!.connect(resolved, group, bufferSize, signal);
    const tracing = this.#tracing();
    const onDeliver = tracing && deliveryTracer(tracing, this.#driver.capabilities.backend, targetDestination(resolved), group);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const delivery of connection) {
          onDeliver?.(delivery.event);
          yield checkedDelivery(delivery);
        }
      },
      close: async () => {
        abort.abort();
        await connection.close();
      },
    };
  }

  #check(target: PersistentTarget, group: string) {
    this.#assertOpen();
    this.#assertCapable("persistentSubscriptions");
    return resolvePersistentTarget(target, group);
  }
}

const NACK_ACTIONS: ReadonlySet<string> = new Set<NackAction>(["park", "retry", "skip"]);

function checkedDelivery(delivery: DriverDelivery): PersistentDelivery {
  return {
    event: delivery.event,
    retryCount: delivery.retryCount,
    ack: () => delivery.ack(),
    nack: async (action: NackAction, reason?: string) => {
      if (!NACK_ACTIONS.has(action)) throw new ValidationError(`nack action must be "park", "retry" or "skip"`, "action");
      if (reason !== undefined && typeof reason !== "string") throw new ValidationError("nack reason must be a string", "reason");
      return delivery.nack(action, reason);
    },
  };
}
