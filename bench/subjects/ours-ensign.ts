import { createEnsignEventStream } from "../../src/adapters/ensign/index.js";
import type { ServerInfo } from "../types.js";
import { ensignKeyFromEnv } from "./ensign-credentials.js";
import { portSubject } from "./port-subject.js";
import type { Subject } from "./subject.js";

/**
 * Our Ensign adapter on the same emulator, in either consistency mode: "single-writer" lets the
 * command handler run (each child is the only writer of its streams); "default" is what a user
 * gets without choosing (no expected revisions, appends confirmed through the topic).
 */
export async function createOursEnsign(server: ServerInfo, consistency: "single-writer" | "default"): Promise<Subject> {
  const authUrl = server.extra?.authUrl;
  if (!authUrl) throw new Error("ours-ensign needs the emulator's auth URL");
  const port = createEnsignEventStream({
    endpoint: server.url,
    insecure: true,
    authUrl,
    ...ensignKeyFromEnv(),
    ...(consistency === "single-writer" ? { consistency } : {}),
  });
  return portSubject(consistency === "single-writer" ? "ours-ensign" : "ours-ensign-default", "ensign", port);
}
