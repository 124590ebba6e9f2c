// A persistent subscription connection's extra statistics (`extraStatistics` on the group), as
// the server's RequestStatistics keeps them: from each event's push to the client until it
// leaves the client's in-flight set (ack, nack, timeout), in whole milliseconds, over the last
// 1,000 events; reported as Mean, Median, Fastest, Quintile 1–5, 90% … 99.9% and Highest.
const WINDOW = 1_000;

export interface Measurement {
  readonly key: string;
  readonly value: number;
}

export class ResponseTimes {
  readonly #started = new Map<string, number>();
  readonly #window: number[] = [];
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  start(id: string): void {
    this.#started.set(id, this.#now());
  }

  end(id: string): void {
    const started = this.#started.get(id);
    if (started === undefined) return;
    this.#started.delete(id);
    if (this.#window.length >= WINDOW) this.#window.shift();
    this.#window.push(Math.trunc(this.#now() - started));
  }

  /** Empty until a first event was answered, as on the server. */
  measurements(): Measurement[] {
    if (this.#window.length === 0) return [];
    const items = [...this.#window].sort((a, b) => a - b);
    const at = (percentile: number) => items[percentileIndex(percentile, items.length)]!;
    const sum = items.reduce((total, item) => total + item, 0);
    const result: Measurement[] = [
      { key: "Mean", value: Math.trunc(sum / items.length) },
      { key: "Median", value: items[Math.trunc(items.length / 2)]! },
      { key: "Fastest", value: items[0]! },
    ];
    for (let quintile = 0; quintile < 5; quintile += 1) {
      result.push({ key: `Quintile ${quintile + 1}`, value: at(quintile * 20) });
    }
    for (const percentile of [90, 95, 99, 99.5, 99.9]) result.push({ key: `${percentile}%`, value: at(percentile) });
    result.push({ key: "Highest", value: items.at(-1)! });
    return result;
  }
}

function percentileIndex(percentile: number, size: number): number {
  // In tenths of a percent, so 99.5 and 99.9 stay exact as the server's decimal arithmetic.
  const index = Math.trunc((Math.round(percentile * 10) * size) / 1000);
  return index === size ? index - 1 : index;
}
