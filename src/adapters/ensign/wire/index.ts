/**
 * The Ensign wire layer shared by the Ensign client (src/adapters/ensign) and the emulator
 * (src/servers/ensign): the protocol descriptor, message shapes, codecs, enums, limits and the
 * grpc-js service definitions. See ./codec.ts for why it loads a generated JSON descriptor.
 */
export * from "./codec.js";
export * from "./enums.js";
export * from "./limits.js";
export type * from "./messages.js";
export * from "./service.js";
export * from "./ids.js";
export * from "./topic-hash.js";
