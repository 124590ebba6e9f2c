// Streams.Append, Streams.BatchAppend, Streams.Delete and Streams.Tombstone.
import { status, type Metadata, type ServerDuplexStream, type ServerReadableStream, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  DeleteReq,
  DeleteResp,
  TombstoneReq,
  TombstoneResp,
} from "@eventstore/db-client/generated/streams_pb";
import type { Message } from "google-protobuf";
import type { Authenticator } from "./auth.js";
import {
  MAX_APPEND_SIZE,
  invalidArgument,
  maxAppendSizeExceeded,
  missingRequiredMetadata,
  notLeader,
  requestCanceledByServer,
  streamDeleted,
  wrongExpectedVersion,
} from "./errors.js";
import { requiresLeader, type NodeRole } from "./node-role.js";
import { anyPb, emptyPb, sharedPb, statusPb, streamsPb } from "./proto.js";
import {
  EXPECTED_ANY,
  EXPECTED_NO_STREAM,
  EXPECTED_STREAM_EXISTS,
  type AppendOutcome,
  type EventStore,
  type ProposedEvent,
} from "./store.js";
import { parseUuid, sizeOnDisk, streamIdentifier, streamName } from "./wire.js";

interface ExpectedRevisionOptions {
  hasRevision?(): boolean;
  getRevision?(): string;
  hasNoStream(): boolean;
  hasAny(): boolean;
  hasStreamExists(): boolean;
}

function expectedOf(options: ExpectedRevisionOptions, exact: () => string | undefined): bigint {
  if (options.hasNoStream()) return EXPECTED_NO_STREAM;
  if (options.hasAny()) return EXPECTED_ANY;
  if (options.hasStreamExists()) return EXPECTED_STREAM_EXISTS;
  const revision = exact();
  if (revision === undefined) throw invalidArgument("'None' is not a valid ExpectedStreamRevisionOneofCase");
  return BigInt(revision);
}

type Proposed = AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage;

function toProposedEvent(message: Proposed): ProposedEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get("type");
  if (type === undefined) throw missingRequiredMetadata("type");
  const contentType = metadata.get("content-type");
  if (contentType === undefined) throw missingRequiredMetadata("content-type");
  return {
    id: parseUuid(message.getId()),
    type,
    contentType,
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

/**
 * A follower forwards a write to the leader unless the call requires the leader, which it refuses
 * with NotLeader (ClusterVNodeController.HandleAsNonLeader); with one shared log, forwarding is
 * writing to it. A write is acknowledged when the role says the cluster has it.
 */
export function streamsWriteHandlers(store: EventStore, auth: Authenticator, role: NodeRole) {
  const refusedHere = (metadata: Metadata) =>
    requiresLeader(metadata) && role.state !== "leader" ? notLeader(role.leader()) : undefined;
  return {
    append(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void {
      const denied = auth.authorize(call.metadata);
      if (denied !== undefined) return callback(denied);
      let stream: string | undefined;
      let expected = EXPECTED_ANY;
      const events: ProposedEvent[] = [];
      let size = 0;
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        callback(error as Parameters<typeof callback>[0]);
      };
      call.on("data", (request: AppendReq) => {
        if (failed) return;
        try {
          const options = request.getOptions();
          if (options !== undefined) {
            stream = streamName(options.getStreamIdentifier());
            expected = expectedOf(options, () => (options.hasRevision() ? options.getRevision() : undefined));
            return;
          }
          const message = request.getProposedMessage();
          if (message === undefined || stream === undefined) throw invalidArgument("Options must be sent first");
          const event = toProposedEvent(message);
          size += sizeOnDisk(event.type, event.data, event.customMetadata);
          if (size > MAX_APPEND_SIZE) throw maxAppendSizeExceeded();
          events.push(event);
        } catch (error) {
          fail(error);
        }
      });
      call.on("error", () => {
        failed = true;
      });
      call.on("end", () => {
        if (failed) return;
        if (stream === undefined) return fail(invalidArgument("Options were not sent"));
        const refused = refusedHere(call.metadata);
        if (refused !== undefined) return fail(refused);
        const outcome = store.append(stream, expected, events);
        if (outcome.kind === "streamDeleted") return fail(streamDeleted(stream));
        const response = appendResponse(outcome, expected);
        if (outcome.kind !== "success") return callback(null, response);
        role.commit(
          () => callback(null, response),
          () => callback(requestCanceledByServer()),
        );
      });
    },

    batchAppend(call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
      const denied = auth.authorize(call.metadata);
      if (denied !== undefined) {
        call.emit("error", denied);
        return;
      }
      const pending = new Map<string, { stream: string; expected: bigint; events: ProposedEvent[]; size: number }>();
      // Writes in the log whose acknowledgement is held; the call ends after the last is answered.
      let unacknowledged = 0;
      let clientDone = false;
      let refused = false;
      const endWhenAnswered = () => {
        if (clientDone && unacknowledged === 0 && !call.cancelled && !call.destroyed) call.end();
      };
      call.on("data", (request: BatchAppendReq) => {
        if (refused) return;
        const correlation = request.getCorrelationId();
        const correlationId = parseUuid(correlation);
        const respond = (response: BatchAppendResp, stream: string) => {
          response.setCorrelationId(correlation);
          response.setStreamIdentifier(streamIdentifier(stream));
          if (!call.cancelled && !call.destroyed) call.write(response);
        };
        try {
          const options = request.getOptions();
          if (options !== undefined && !pending.has(correlationId)) {
            const stream = streamName(options.getStreamIdentifier());
            const deadline = options.getDeadline();
            if (deadline !== undefined && deadline.toDate().getTime() <= Date.now()) {
              // The server answers an append whose deadline already passed with a packed Timeout.
              respond(errorResponse(status.DEADLINE_EXCEEDED, "Timeout", new sharedPb.Timeout(), "Timeout"), stream);
              return;
            }
            const expected = expectedOf(options, () =>
              options.hasStreamPosition() ? options.getStreamPosition() : undefined,
            );
            pending.set(correlationId, { stream, expected, events: [], size: 0 });
          }
          const write = pending.get(correlationId);
          if (write === undefined) return;
          for (const message of request.getProposedMessagesList()) {
            const event = toProposedEvent(message);
            write.size += sizeOnDisk(event.type, event.data, event.customMetadata);
            write.events.push(event);
          }
          if (write.size > MAX_APPEND_SIZE) {
            pending.delete(correlationId);
            const details = new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(MAX_APPEND_SIZE);
            respond(errorResponse(status.INVALID_ARGUMENT, "MaximumAppendSizeExceeded", details, "MaximumAppendSizeExceeded"), write.stream);
            return;
          }
          if (!request.getIsFinal()) return;
          pending.delete(correlationId);
          // The server throws the LeaderInfo exception out of the call: it ends with NotLeader.
          const notHere = refusedHere(call.metadata);
          if (notHere !== undefined) {
            refused = true;
            pending.clear();
            call.emit("error", notHere);
            return;
          }
          const outcome = store.append(write.stream, write.expected, write.events);
          const response = batchResponse(outcome, write);
          if (outcome.kind !== "success") return respond(response, write.stream);
          unacknowledged++;
          const answer = (message: BatchAppendResp) => {
            unacknowledged--;
            respond(message, write.stream);
            endWhenAnswered();
          };
          role.commit(
            () => answer(response),
            // A write the leader gave up (CommitTimeout) is answered with Status.Timeout.
            () => answer(errorResponse(status.DEADLINE_EXCEEDED, "Timeout", new sharedPb.Timeout(), "Timeout")),
          );
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const details = new sharedPb.BadRequest().setMessage(message);
          respond(errorResponse(status.INVALID_ARGUMENT, "BadRequest", details, "BadRequest"), pending.get(correlationId)?.stream ?? "");
          pending.delete(correlationId);
        }
      });
      call.on("error", () => pending.clear());
      // The real server never ends the call on its own; it ends when the client half-closes.
      call.on("end", () => {
        clientDone = true;
        endWhenAnswered();
      });
    },

    delete(call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>): void {
      const denied = auth.authorize(call.metadata);
      if (denied !== undefined) return callback(denied);
      try {
        const options = call.request.getOptions();
        if (options === undefined) throw invalidArgument("Options were not sent");
        const stream = streamName(options.getStreamIdentifier());
        const expected = expectedOf(options, () => (options.hasRevision() ? options.getRevision() : undefined));
        const refused = refusedHere(call.metadata);
        if (refused !== undefined) throw refused;
        const outcome = store.softDelete(stream, expected);
        const response = new streamsPb.DeleteResp();
        deleteResult(outcome, stream, expected, "Delete", (commit) =>
          response.setPosition(new streamsPb.DeleteResp.Position().setCommitPosition(commit).setPreparePosition(commit)),
        );
        callback(null, response);
      } catch (error) {
        callback(error as Parameters<typeof callback>[0]);
      }
    },

    tombstone(call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>): void {
      const denied = auth.authorize(call.metadata);
      if (denied !== undefined) return callback(denied);
      try {
        const options = call.request.getOptions();
        if (options === undefined) throw invalidArgument("Options were not sent");
        const stream = streamName(options.getStreamIdentifier());
        const expected = expectedOf(options, () => (options.hasRevision() ? options.getRevision() : undefined));
        const refused = refusedHere(call.metadata);
        if (refused !== undefined) throw refused;
        const outcome = store.tombstone(stream, expected);
        const response = new streamsPb.TombstoneResp();
        deleteResult(outcome, stream, expected, "Delete", (commit) =>
          response.setPosition(
            new streamsPb.TombstoneResp.Position().setCommitPosition(commit).setPreparePosition(commit),
          ),
        );
        callback(null, response);
      } catch (error) {
        callback(error as Parameters<typeof callback>[0]);
      }
    },
  };
}

function deleteResult(
  outcome: AppendOutcome,
  stream: string,
  expected: bigint,
  operation: string,
  setPosition: (commit: string) => void,
): void {
  if (outcome.kind === "streamDeleted") throw streamDeleted(stream);
  if (outcome.kind === "wrongExpectedVersion") {
    throw wrongExpectedVersion(operation, stream, expected, outcome.currentVersion);
  }
  if (outcome.position !== undefined) setPosition(outcome.position.toString());
}

function appendResponse(outcome: Exclude<AppendOutcome, { kind: "streamDeleted" }>, expected: bigint): AppendResp {
  const response = new streamsPb.AppendResp();
  if (outcome.kind === "success") {
    const success = new streamsPb.AppendResp.Success();
    if (outcome.currentRevision < 0n) success.setNoStream(new sharedPb.Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
    else {
      const position = outcome.position.toString();
      success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(position).setPreparePosition(position));
    }
    return response.setSuccess(success);
  }
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  const current = outcome.currentVersion;
  if (current < 0n) {
    wrong.setCurrentNoStream(new sharedPb.Empty());
    wrong.setNoStream2060(new sharedPb.Empty());
  } else {
    wrong.setCurrentRevision(current.toString());
    wrong.setCurrentRevision2060(Number(current));
  }
  if (expected === EXPECTED_ANY) {
    wrong.setExpectedAny(new sharedPb.Empty());
    wrong.setAny2060(new sharedPb.Empty());
  } else if (expected === EXPECTED_STREAM_EXISTS) {
    wrong.setExpectedStreamExists(new sharedPb.Empty());
    wrong.setStreamExists2060(new sharedPb.Empty());
  } else if (expected === EXPECTED_NO_STREAM) {
    wrong.setExpectedNoStream(new sharedPb.Empty());
  } else {
    wrong.setExpectedRevision(expected.toString());
    wrong.setExpectedRevision2060(Number(expected));
  }
  return response.setWrongExpectedVersion(wrong);
}

function errorResponse(code: status, message: string, details: Message, typeName: string): BatchAppendResp {
  const any = new anyPb.Any();
  any.pack(details.serializeBinary(), `event_store.client.${typeName}`);
  const rpcStatus = new statusPb.Status().setCode(code as number).setMessage(message).setDetails(any);
  return new streamsPb.BatchAppendResp().setError(rpcStatus);
}

function batchResponse(outcome: AppendOutcome, write: { stream: string; expected: bigint }): BatchAppendResp {
  if (outcome.kind === "streamDeleted") {
    const details = new sharedPb.StreamDeleted().setStreamIdentifier(streamIdentifier(write.stream));
    return errorResponse(status.NOT_FOUND, "StreamDeleted", details, "StreamDeleted");
  }
  if (outcome.kind === "wrongExpectedVersion") {
    const details = new sharedPb.WrongExpectedVersion();
    if (outcome.currentVersion < 0n) details.setCurrentNoStream(new emptyPb.Empty());
    else details.setCurrentStreamRevision(outcome.currentVersion.toString());
    if (write.expected === EXPECTED_ANY) details.setExpectedAny(new emptyPb.Empty());
    else if (write.expected === EXPECTED_STREAM_EXISTS) details.setExpectedStreamExists(new emptyPb.Empty());
    else if (write.expected === EXPECTED_NO_STREAM) details.setExpectedNoStream(new emptyPb.Empty());
    else details.setExpectedStreamPosition(write.expected.toString());
    return errorResponse(status.ALREADY_EXISTS, "WrongExpectedVersion", details, "WrongExpectedVersion");
  }
  const success = new streamsPb.BatchAppendResp.Success();
  if (outcome.currentRevision < 0n) success.setNoStream(new emptyPb.Empty());
  else success.setCurrentRevision(outcome.currentRevision.toString());
  if (outcome.position === undefined) success.setNoPosition(new emptyPb.Empty());
  else {
    const position = outcome.position.toString();
    success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(position).setPreparePosition(position));
  }
  return new streamsPb.BatchAppendResp().setSuccess(success);
}
