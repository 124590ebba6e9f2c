// Tracing and logging, runnable: `npx tsx examples/observability.ts` prints the spans of one command
// and one projection batch to the console (docs/observability.md quotes the region below).
import { decider, type Added } from "./observability-decider.js";
// #region observability
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { connect, consoleLogger, createCommandHandler, createProjection } from "../src/index.js";

// The application's OpenTelemetry setup: a context manager (so spans nest across awaits) and a
// provider that prints every span as it ends. Production code exports with OTLP instead.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }));

export async function main(): Promise<void> {
  // `tracing: true` uses the global provider; `logger` receives reconnects and warnings.
  const eventStream = await connect(process.env.SWITCHYARD_URL ?? "memory:", { tracing: true, logger: consoleLogger });
  const counters = createCommandHandler({ eventStream, decider });
  const totals = new Map<string, number>();
  const projection = createProjection<Added>(
    {
      name: "totals",
      source: { category: "counter" },
      handlers: { Added: (event, recorded) => void totals.set(recorded.streamId, (totals.get(recorded.streamId) ?? 0) + event.data.by) },
    },
    { eventStream, checkpointEvery: 2 },
  );

  // handle counter-{id} > attempt > load, decide, append counter-{id}
  await counters.handle("counter-1", { type: "Add", by: 5, times: 2 });
  // process totals: one batch of both events, linked to the append span that wrote them
  await projection.start();
  await projection.waitUntilCaughtUp();
  await projection.stop();
  console.log("totals:", Object.fromEntries(totals));
  await eventStream.close();
}
// #endregion observability

if (import.meta.url === `file://${process.argv[1]}`) await main();
