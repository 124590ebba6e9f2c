import { SerializationError } from "./errors.js";
import { stringifyStrict } from "./strict-json.js";

/** Turns event data into bytes and back for one content type. */
export interface Codec {
  readonly contentType: string;
  encode(data: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
  /**
   * For a content type whose encoded form is UTF-8 text: the text itself, and back. Optional; a
   * store that keeps text (the memory adapter) then skips the bytes, and `encode(data)` must
   * equal the UTF-8 bytes of `encodeText(data)`.
   */
  encodeText?(data: unknown): string;
  decodeText?(text: string): unknown;
}

/** Content type of JSON data (the default for objects). */
export const JSON_CONTENT_TYPE = "application/json";
/** Content type of raw bytes (a `Uint8Array` is stored as it is). */
export const BINARY_CONTENT_TYPE = "application/octet-stream";
/** Content type of text data. */
export const TEXT_CONTENT_TYPE = "text/plain";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** The codec of `application/json`. */
export const jsonCodec: Codec = {
  contentType: JSON_CONTENT_TYPE,
  encode(data) {
    // Buffer.from is a Uint8Array and about twice as fast as TextEncoder for short strings.
    return Buffer.from(jsonText(data), "utf8");
  },
  decode(bytes) {
    let text: string;
    try {
      text = utf8Decoder.decode(bytes);
    } catch (cause) {
      throw new SerializationError("Stored data is not valid JSON", JSON_CONTENT_TYPE, { cause });
    }
    return parseJson(text);
  },
  encodeText: jsonText,
  decodeText: parseJson,
};

/** Refuses what JSON would change silently (NaN, functions, …) rather than store it altered. */
function jsonText(data: unknown): string {
  return stringifyStrict(data, JSON_CONTENT_TYPE);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SerializationError("Stored data is not valid JSON", JSON_CONTENT_TYPE, { cause });
  }
}

/** The codec of `application/octet-stream`: bytes as they are. */
export const binaryCodec: Codec = {
  contentType: BINARY_CONTENT_TYPE,
  encode(data) {
    if (!(data instanceof Uint8Array)) {
      throw new SerializationError(
        `${BINARY_CONTENT_TYPE} data must be a Uint8Array, got ${describe(data)}`,
        BINARY_CONTENT_TYPE,
      );
    }
    return data;
  },
  decode(bytes) {
    return bytes;
  },
};

/** The codec of `text/plain`. */
export const textCodec: Codec = {
  contentType: TEXT_CONTENT_TYPE,
  encode(data) {
    return utf8Encoder.encode(wellFormedText(data));
  },
  decode(bytes) {
    try {
      return utf8Decoder.decode(bytes);
    } catch (cause) {
      throw new SerializationError("Stored text is not valid UTF-8", TEXT_CONTENT_TYPE, { cause });
    }
  },
  encodeText: wellFormedText,
  decodeText(text) {
    return text;
  },
};

function wellFormedText(data: unknown): string {
  if (typeof data !== "string") {
    throw new SerializationError(`${TEXT_CONTENT_TYPE} data must be a string, got ${describe(data)}`, TEXT_CONTENT_TYPE);
  }
  // A lone surrogate has no UTF-8 form: the bytes would hold U+FFFD instead, so it is refused
  // rather than stored changed.
  if (!(data as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new SerializationError(`${TEXT_CONTENT_TYPE} data holds a lone surrogate, which UTF-8 cannot carry`, TEXT_CONTENT_TYPE);
  }
  return data;
}

/** Content types without parameters, lower-cased: `Application/JSON; charset=utf-8` → `application/json`. */
export function normaliseContentType(contentType: string): string {
  return contentType.split(";", 1)[0]!.trim().toLowerCase();
}

/** Codecs by content type. Starts with json, octet-stream and text; add msgpack, protobuf, … */
export class CodecRegistry {
  readonly #codecs = new Map<string, Codec>();

  constructor(codecs: readonly Codec[] = [jsonCodec, binaryCodec, textCodec]) {
    for (const codec of codecs) this.register(codec);
  }

  register(codec: Codec): this {
    this.#codecs.set(normaliseContentType(codec.contentType), codec);
    return this;
  }

  has(contentType: string): boolean {
    return this.#codecs.has(normaliseContentType(contentType));
  }

  get(contentType: string): Codec {
    // Stored content types are already normalised: try them as they are before normalising.
    const codec = this.#codecs.get(contentType) ?? this.#codecs.get(normaliseContentType(contentType));
    if (!codec) {
      throw new SerializationError(
        `No codec is registered for content type "${contentType}" (registered: ${[...this.#codecs.keys()].join(", ")})`,
        contentType,
      );
    }
    return codec;
  }

  /** The content type used when an event names none. */
  defaultContentTypeFor(data: unknown): string {
    return data instanceof Uint8Array ? BINARY_CONTENT_TYPE : JSON_CONTENT_TYPE;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
