import { CodecRegistry } from "../../core/codec.js";
import type { Logger } from "../../core/observability/logger.js";
import type { Tracing } from "../../core/observability/tracing.js";
import { EventStreamRuntime } from "../../core/runtime.js";
import type { MemoryConfig } from "./config.js";
import { MemoryDriver } from "./memory-driver.js";

/** Options of `createMemoryEventStream`. */
export interface MemoryEventStreamOptions {
  /** Largest append accepted, in encoded bytes (default 1 MiB, as on EventStoreDB). */
  maxAppendBytes?: number;
  /** Codecs for content types beyond json, octet-stream and text. */
  codecs?: CodecRegistry;
  /** Spans for this store's operations, from `createTracing()`. */
  tracing?: Tracing;
  /** Where notices (reconnects) go; silent by default. */
  logger?: Logger;
}

/** Creates the reference adapter: every capability, data round-tripped through its codec. */
export function createMemoryEventStream(options: MemoryEventStreamOptions | MemoryConfig = {}): MemoryEventStream {
  return new MemoryEventStream(options);
}

/** The memory driver under core's runtime: the rules every backend follows, on a log in this process. */
export class MemoryEventStream extends EventStreamRuntime<MemoryDriver> {
  constructor(options: MemoryEventStreamOptions | MemoryConfig = {}) {
    const codecs = ("codecs" in options && options.codecs) || new CodecRegistry();
    const { tracing, logger } = options as MemoryEventStreamOptions;
    super(new MemoryDriver(codecs, options.maxAppendBytes), { codecs, ...(tracing ? { tracing } : {}), ...(logger ? { logger } : {}) });
  }
}
