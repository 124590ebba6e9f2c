import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importPeerDependent, missingPeerError, peerRange } from "../../src/core/peer-dependencies.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  peerDependencies: Record<string, string>;
};
const notFound = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("missing optional peers", () => {
  it("reads every range from package.json's peerDependencies", () => {
    for (const [peer, range] of Object.entries(pkg.peerDependencies)) expect(peerRange(peer)).toBe(range);
    expect(peerRange("left-pad")).toBeUndefined();
  });

  it("names the package from an ESM or CJS resolution error, deep imports included", () => {
    for (const error of [
      notFound("ERR_MODULE_NOT_FOUND", "Cannot find package '@grpc/grpc-js' imported from /app/dist/chunk.js"),
      notFound("MODULE_NOT_FOUND", "Cannot find module '@grpc/grpc-js/build/src/index.js'\nRequire stack:\n- /app/dist/chunk.cjs"),
    ]) {
      const refused = missingPeerError(error, "ensign", ["@grpc/grpc-js", "protobufjs"]);
      expect(refused?.code).toBe("CONFIGURATION");
      expect(refused?.cause).toBe(error);
      const range = pkg.peerDependencies["@grpc/grpc-js"]!;
      expect(refused?.message).toContain(`needs the package "@grpc/grpc-js" (${range})`);
      expect(refused?.message).toContain(`npm install "@grpc/grpc-js@${range}" "protobufjs@${pkg.peerDependencies.protobufjs!}"`);
    }
  });

  it("a package the backend declares but package.json does not is installed without a range", () => {
    const error = notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'their-driver' imported from /app/x.js");
    expect(missingPeerError(error, "theirs", ["their-driver"])?.message).toMatch(/needs the package "their-driver", .* npm install their-driver$/);
  });

  it("leaves every other failure alone: our own missing files, unknown packages, other errors", async () => {
    const own = notFound("ERR_MODULE_NOT_FOUND", "Cannot find module '/app/dist/chunk-X.js' imported from /app/dist/index.js");
    const relative = notFound("MODULE_NOT_FOUND", "Cannot find module './chunk-X.cjs'");
    const unknown = notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'left-pad' imported from /app/x.js");
    for (const error of [own, relative, unknown, new Error("Cannot find package 'protobufjs'"), "text"]) {
      expect(missingPeerError(error, "ensign", ["protobufjs"])).toBeUndefined();
    }
    await expect(importPeerDependent("ensign", [], () => Promise.reject(unknown))).rejects.toBe(unknown);
    await expect(importPeerDependent("ensign", [], () => Promise.resolve(42))).resolves.toBe(42);
  });
});
