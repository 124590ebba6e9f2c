// Loads the generated gRPC/protobuf modules shipped inside @eventstore/db-client (never those of
// @kurrent/kurrentdb-client: both register classes on one process-global protobuf namespace).
// Messages must be built with the classes of the very module the service definitions come from,
// so everything the emulator needs is required from here.
import { createRequire } from "node:module";

// In the CommonJS build import.meta is empty, and __filename names the same file.
const load = createRequire(typeof __filename === "string" ? __filename : import.meta.url);
const base = "@eventstore/db-client/generated/";

export const streamsPb = load(`${base}streams_pb.js`) as typeof import("@eventstore/db-client/generated/streams_pb");
export const streamsGrpc = load(
  `${base}streams_grpc_pb.js`,
) as typeof import("@eventstore/db-client/generated/streams_grpc_pb");
export const sharedPb = load(`${base}shared_pb.js`) as typeof import("@eventstore/db-client/generated/shared_pb");
export const statusPb = load(`${base}status_pb.js`) as typeof import("@eventstore/db-client/generated/status_pb");
export const persistentPb = load(
  `${base}persistent_pb.js`,
) as typeof import("@eventstore/db-client/generated/persistent_pb");
export const persistentGrpc = load(
  `${base}persistent_grpc_pb.js`,
) as typeof import("@eventstore/db-client/generated/persistent_grpc_pb");
export const featuresPb = load(
  `${base}serverfeatures_pb.js`,
) as typeof import("@eventstore/db-client/generated/serverfeatures_pb");
export const featuresGrpc = load(
  `${base}serverfeatures_grpc_pb.js`,
) as typeof import("@eventstore/db-client/generated/serverfeatures_grpc_pb");
export const gossipPb = load(`${base}gossip_pb.js`) as typeof import("@eventstore/db-client/generated/gossip_pb");
export const gossipGrpc = load(
  `${base}gossip_grpc_pb.js`,
) as typeof import("@eventstore/db-client/generated/gossip_grpc_pb");
export const emptyPb = load(
  "google-protobuf/google/protobuf/empty_pb.js",
) as typeof import("google-protobuf/google/protobuf/empty_pb");
export const anyPb = load("google-protobuf/google/protobuf/any_pb.js") as typeof import("google-protobuf/google/protobuf/any_pb");
export const projectionsPb = load(
  `${base}projections_pb.js`,
) as typeof import("@eventstore/db-client/generated/projections_pb");
export const projectionsGrpc = load(
  `${base}projections_grpc_pb.js`,
) as typeof import("@eventstore/db-client/generated/projections_grpc_pb");
export const structPb = load(
  "google-protobuf/google/protobuf/struct_pb.js",
) as typeof import("google-protobuf/google/protobuf/struct_pb");
