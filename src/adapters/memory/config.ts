import { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";

export const memoryConfigSchema = z
  .object({
    backend: z.literal("memory"),
    /** Largest append accepted, in encoded bytes; EventStoreDB's 1 MiB by default. */
    maxAppendBytes: z.number().int().positive().optional(),
  })
  .strict();

/** The memory backend's config, as `connect()` validates it. */
export type MemoryConfig = z.infer<typeof memoryConfigSchema>;

export function memoryConfigFromUrl(url: URL): MemoryConfig {
  if (url.host !== "" || (url.pathname !== "" && url.pathname !== "/")) {
    throw new ConfigurationError(`A memory URL takes no host or path: expected "memory:" or "memory:?maxAppendBytes=N"`);
  }
  const config: MemoryConfig = { backend: "memory" };
  for (const [key, value] of url.searchParams) {
    if (key === "maxAppendBytes") {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n <= 0) {
        throw new ConfigurationError(`memory: maxAppendBytes must be a positive integer, got "${value}"`);
      }
      config.maxAppendBytes = n;
    } else {
      throw new ConfigurationError(`memory: unknown option "${key}" (expected: maxAppendBytes)`);
    }
  }
  return config;
}
