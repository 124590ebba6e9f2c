import type { EventStream } from "../../core/event-stream.js";
import { resolveRunner, type TestRunner } from "../runner/test-runner.js";
import { appendCases } from "./append.js";
import { badInputCases } from "./bad-input.js";
import { concurrencyCases } from "./concurrency.js";
import { makeTest, type ConformanceOptions, type SuiteContext } from "./context.js";
import { deleteCases } from "./delete.js";
import { idempotencyCases } from "./idempotency.js";
import { metadataCases } from "./metadata.js";
import { persistentCases } from "./persistent.js";
import { readAllCases } from "./read-all.js";
import { readCases } from "./read.js";
import { ruleCases } from "./rules.js";
import { subscribeCases } from "./subscribe.js";

/**
 * Registers the conformance suite for one adapter with the test runner handed in (vitest, jest,
 * node:test). Each case runs or is skipped by the adapter's capabilities, with the reason in the
 * case's name.
 *
 * @example
 * import * as vitest from "vitest"; // or: import * as nodeTest from "node:test"
 * runConformanceSuite(vitest, { name: "memory", capabilities, create: () => createMemoryEventStream() });
 */
export function runConformanceSuite(runner: TestRunner, options: ConformanceOptions): void {
  const run = resolveRunner(runner);
  run.describe(`EventStream conformance: ${options.name}`, () => {
    let shared: EventStream | undefined;
    const extra: EventStream[] = [];
    run.beforeAll(async () => {
      shared = await options.create();
    });
    run.afterAll(async () => {
      await Promise.all([shared, ...extra].map((s) => s?.close()));
      await options.cleanup?.();
    });
    const ctx: SuiteContext = {
      caps: options.capabilities,
      waitTimeoutMs: options.waitTimeoutMs ?? 15_000,
      store: () => {
        if (!shared) throw new Error("The conformance suite's EventStream was not created");
        return shared;
      },
      fresh: async () => {
        const store = await options.create();
        extra.push(store);
        return store;
      },
      test: makeTest(run, options.capabilities),
      describe: run.describe,
      expect: run.expect,
    };
    appendCases(ctx);
    idempotencyCases(ctx);
    readCases(ctx);
    readAllCases(ctx);
    subscribeCases(ctx);
    deleteCases(ctx);
    metadataCases(ctx);
    persistentCases(ctx);
    badInputCases(ctx);
    ruleCases(ctx);
    concurrencyCases(ctx);
  });
}

export type { ConformanceOptions } from "./context.js";
