import { CodecRegistry } from "../../core/codec.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Logger } from "../../core/observability/logger.js";
import type { Tracing } from "../../core/observability/tracing.js";
import { EventStreamRuntime } from "../../core/runtime.js";
import { assertStreamName } from "../../core/validation.js";
import { ensignConfigSchema, type EnsignConfig } from "./config.js";
import type { Ensign } from "./ensign-client.js";
import { EnsignDriver } from "./ensign-driver.js";

export { ensignCapabilities } from "./capabilities.js";

export interface EnsignEventStreamOptions extends Omit<EnsignConfig, "backend"> {
  readonly backend?: "ensign";
  /** Codecs for content types beyond json, octet-stream and text. */
  readonly codecs?: CodecRegistry;
  /** Re-read a subscribed topic at least this often even without a live wake-up. Default 5 s. */
  readonly pollIntervalMs?: number;
  /** Where notices (warnings, reconnects, slow-consumer notices) go; silent by default. */
  readonly logger?: Logger;
  /** Spans for this store's operations, from `createTracing()`. */
  readonly tracing?: Tracing;
}

/** Opens the Ensign adapter (what `connect("ensign://…")` calls). */
export function createEnsignEventStream(options: EnsignConfig | EnsignEventStreamOptions): EnsignEventStream {
  return new EnsignEventStream(options);
}

/** The Ensign driver under core's runtime; see EnsignDriver and docs/ensign.md. */
export class EnsignEventStream extends EventStreamRuntime<EnsignDriver> {
  constructor(options: EnsignConfig | EnsignEventStreamOptions) {
    const { codecs = new CodecRegistry(), pollIntervalMs = 5_000, logger, tracing, ...rest } = options as EnsignEventStreamOptions;
    super(new EnsignDriver(parseConfig(rest), { codecs, pollIntervalMs }), { codecs, ...(logger ? { logger } : {}), ...(tracing ? { tracing } : {}) });
  }

  /** The underlying client, for topic management and Ensign-native publish/subscribe/query. */
  get client(): Ensign {
    return this.driver.client;
  }

  /** The topic a stream's events go to. */
  topicOf(stream: string): string {
    assertStreamName(stream);
    return this.driver.topicFor(stream);
  }
}

function parseConfig(options: Omit<EnsignEventStreamOptions, "codecs" | "pollIntervalMs" | "logger" | "tracing">): EnsignConfig {
  const parsed = ensignConfigSchema.safeParse({ ...options, backend: "ensign" });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
    throw new ConfigurationError(`Invalid ensign config: ${issues}`);
  }
  return parsed.data;
}
