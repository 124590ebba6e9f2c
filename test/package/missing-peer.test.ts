/**
 * The built package in a project that lacks an optional peer (npm test builds dist first):
 * connect() to that backend fails with a ConfigurationError that names the package, its range
 * and the install command, from the ESM and the CJS build alike.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies: Record<string, string>;
};

interface Outcome {
  code?: string;
  name?: string;
  message?: string;
}

describe("a missing optional peer", () => {
  let project: string;

  beforeAll(() => {
    if (!existsSync(join(root, "dist", "index.js"))) throw new Error("dist is not built: run npm run build");
    // A copy, not a symlink: Node resolves a symlinked package from its real path, where the peers are.
    project = mkdtempSync(join(tmpdir(), "switchyard-no-peer-"));
    const installed = join(project, "node_modules", pkg.name);
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(installed, "package.json"), readFileSync(join(root, "package.json")));
    cpSync(join(root, "dist"), join(installed, "dist"), { recursive: true, filter: (f) => !f.endsWith(".map") && !/\.d\.c?ts$/.test(f) });
    // The regular dependencies and zod (a peer every user installs), plus gRPC so that Ensign's second peer is the missing one.
    for (const dependency of [...Object.keys(pkg.dependencies ?? {}), "zod", "@grpc/grpc-js"]) {
      mkdirSync(dirname(join(project, "node_modules", dependency)), { recursive: true });
      symlinkSync(join(root, "node_modules", dependency), join(project, "node_modules", dependency), "dir");
    }
  });

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  function run(format: "esm" | "cjs", url: string, options = "{}"): Outcome {
    const body = `.connect(${JSON.stringify(url)}, ${options}).then(
        (s) => s.close().then(() => console.log("{}")),
        (e) => console.log(JSON.stringify({ code: e.code, name: e.name, message: e.message })))`;
    const args =
      format === "esm"
        ? ["--input-type=module", "-e", `import(${JSON.stringify(pkg.name)}).then((m) => m${body})`]
        : ["-e", `require(${JSON.stringify(pkg.name)})${body}`];
    const env = { ...process.env };
    delete env.NODE_PATH;
    delete env.NODE_OPTIONS;
    const out = execFileSync(process.execPath, args, { cwd: project, encoding: "utf8", env, timeout: 20_000 });
    return JSON.parse(out.trim().split("\n").at(-1)!) as Outcome;
  }

  it.each(["esm", "cjs"] as const)("%s: EventStoreDB without @eventstore/db-client", (format) => {
    const range = pkg.peerDependencies["@eventstore/db-client"]!;
    const outcome = run(format, "esdb://127.0.0.1:1?tls=false");
    expect(outcome.code, outcome.message).toBe("CONFIGURATION");
    expect(outcome.name).toBe("ConfigurationError");
    expect(outcome.message).toContain(`"@eventstore/db-client" (${range})`);
    expect(outcome.message).toContain(`npm install "@eventstore/db-client@${range}"`);
  });

  it.each(["esm", "cjs"] as const)("%s: Ensign without protobufjs names it and installs both of its peers", (format) => {
    const outcome = run(format, "ensign://127.0.0.1:1?insecure=true&clientId=a&clientSecret=b");
    expect(outcome.code, outcome.message).toBe("CONFIGURATION");
    const protobuf = `protobufjs@${pkg.peerDependencies.protobufjs!}`;
    const grpc = `@grpc/grpc-js@${pkg.peerDependencies["@grpc/grpc-js"]!}`;
    expect(outcome.message).toContain(`"protobufjs" (${pkg.peerDependencies.protobufjs!})`);
    expect(outcome.message).toContain(`npm install "${protobuf}" "${grpc}"`);
  });

  it.each(["esm", "cjs"] as const)("%s: NATS without its client names a missing peer and installs both", (format) => {
    const outcome = run(format, "nats://127.0.0.1:1");
    expect(outcome.code, outcome.message).toBe("CONFIGURATION");
    const transport = `@nats-io/transport-node@${pkg.peerDependencies["@nats-io/transport-node"]!}`;
    const jetstream = `@nats-io/jetstream@${pkg.peerDependencies["@nats-io/jetstream"]!}`;
    expect(outcome.message).toMatch(/"@nats-io\/(transport-node|jetstream)" \(\^3/);
    expect(outcome.message).toContain(transport);
    expect(outcome.message).toContain(jetstream);
  });

  it.each(["esm", "cjs"] as const)("%s: tracing without @opentelemetry/api", (format) => {
    const range = pkg.peerDependencies["@opentelemetry/api"]!;
    const outcome = run(format, "memory:", "{ tracing: true }");
    expect(outcome.code, outcome.message).toBe("CONFIGURATION");
    expect(outcome.message).toContain(`Tracing needs the package "@opentelemetry/api" (${range})`);
    expect(outcome.message).toContain(`npm install "@opentelemetry/api@${range}"`);
  });

  it("memory needs no peer", () => {
    expect(run("esm", "memory:")).toEqual({});
    expect(run("cjs", "memory:")).toEqual({});
  });
});
