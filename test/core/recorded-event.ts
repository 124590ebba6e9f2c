import { Position, type RecordedEvent } from "../../src/index.js";

/** A recorded event of stream "s-1" at `revision`, for feeding core's subscription directly. */
export function recordedEvent(revision: number): RecordedEvent {
  return {
    streamId: "s-1",
    revision: BigInt(revision),
    position: new Position("test", [BigInt(revision)]),
    id: `00000000-0000-4000-8000-${String(revision).padStart(12, "0")}`,
    type: "e",
    data: { revision },
    metadata: {},
    contentType: "application/json",
    schemaVersion: 1,
    createdAt: new Date(0),
  };
}
