// How a copy shows progress: a bar with events/s and ETA on a terminal (cli-progress), a line every
// few seconds otherwise (logs, CI, pipes).
import cliProgress from "cli-progress";

export interface Progress {
  add(events: number): void;
  stop(): void;
}

export function startProgress(total: number, options: { interactive: boolean; intervalMs: number }): Progress {
  const started = Date.now();
  let done = 0;
  const rate = () => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
  if (options.interactive) {
    const bar = new cliProgress.SingleBar(
      {
        format: "copying |{bar}| {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}",
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 200,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      add(events) {
        done += events;
        bar.update(done, { rate: rate() });
      },
      stop() {
        bar.update(done, { rate: rate() });
        bar.stop();
      },
    };
  }
  const line = () => {
    const perSecond = rate();
    const eta = perSecond > 0 ? `${Math.ceil((total - done) / perSecond)} s` : "unknown";
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    process.stderr.write(`copied ${done}/${total} events (${percent}%), ${perSecond} events/s, ETA ${eta}\n`);
  };
  const timer = setInterval(line, options.intervalMs);
  timer.unref();
  return {
    add(events) {
      done += events;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
