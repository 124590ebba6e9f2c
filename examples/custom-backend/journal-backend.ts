import { z } from "zod";
import { CodecRegistry, ConfigurationError, defineBackend, EventStreamRuntime } from "../../src/index.js";

// #region backend
export const journalBackend = defineBackend({
  name: "journal",
  schemes: ["journal:"],
  configSchema: z.object({ backend: z.literal("journal") }).strict(),
  fromUrl(url) {
    if (url.href !== "journal:") throw new ConfigurationError('A journal URL is just "journal:"');
    return { backend: "journal" };
  },
  // Loaded only when a URL or config picks this backend (a real adapter imports its driver library here).
  async load() {
    const { JournalDriver } = await import("./journal-driver.js");
    return () => {
      const codecs = new CodecRegistry();
      return new EventStreamRuntime(new JournalDriver(codecs), { codecs });
    };
  },
});
// #endregion backend
