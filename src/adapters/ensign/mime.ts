import { ValidationError } from "../../core/errors.js";

/** Values of Ensign's `mimetype.v1beta1.MIME` enum (aliases share a value). */
export const MIME = {
  UNSPECIFIED: 0,
  UNKNOWN: 0,
  APPLICATION_OCTET_STREAM: 0,
  TEXT_PLAIN: 1,
  TEXT_CSV: 2,
  TEXT_HTML: 3,
  TEXT_CALENDAR: 4,
  APPLICATION_JSON: 50,
  APPLICATION_JSON_UTF8: 50,
  APPLICATION_JSON_LD: 51,
  APPLICATION_JSON_LINES: 52,
  APPLICATION_UBJSON: 53,
  APPLICATION_BSON: 54,
  APPLICATION_XML: 100,
  APPLICATION_ATOM: 101,
  APPLICATION_MSGPACK: 252,
  APPLICATION_PARQUET: 253,
  APPLICATION_AVRO: 254,
  APPLICATION_PROTOBUF: 255,
  APPLICATION_PDF: 512,
  APPLICATION_JAVA_ARCHIVE: 513,
  APPLICATION_PYTHON_PICKLE: 514,
  USER_SPECIFIED0: 1000,
  USER_SPECIFIED1: 1001,
  USER_SPECIFIED2: 1002,
  USER_SPECIFIED3: 1003,
  USER_SPECIFIED4: 1004,
  USER_SPECIFIED5: 1005,
  USER_SPECIFIED6: 1006,
  USER_SPECIFIED7: 1007,
  USER_SPECIFIED8: 1008,
  USER_SPECIFIED9: 1009,
} as const;

/** The name of an Ensign MIME type. */
export type MimeName = keyof typeof MIME;
/** The wire value of an Ensign MIME type. */
export type MimeValue = (typeof MIME)[MimeName];

/** The canonical string of every MIME value, as both Ensign SDKs spell it. */
export const MIME_STRINGS: ReadonlyMap<MimeValue, string> = new Map<MimeValue, string>([
  [0, "application/octet-stream"],
  [1, "text/plain"],
  [2, "text/csv"],
  [3, "text/html"],
  [4, "text/calendar"],
  [50, "application/json"],
  [51, "application/ld+json"],
  [52, "application/jsonlines"],
  [53, "application/ubjson"],
  [54, "application/bson"],
  [100, "application/xml"],
  [101, "application/atom+xml"],
  [252, "application/msgpack"],
  [253, "application/parquet"],
  [254, "application/avro"],
  [255, "application/protobuf"],
  [512, "application/pdf"],
  [513, "application/java-archive"],
  [514, "application/python-pickle"],
  ...Array.from({ length: 10 }, (_, i) => [(1000 + i) as MimeValue, `user/format-${i}`] as [MimeValue, string]),
]);

const VALUES_BY_STRING = new Map<string, MimeValue>([...MIME_STRINGS].map(([value, text]) => [text, value]));

// prefix/mime(+ext)?(; key=value)*, the shape both SDKs decompose a content type into.
const MIME_PATTERN = /^(application|user|text)\/([\w.-]+)(?:\+([\w-]+))?((?:;\s*[\w.-]+=[\w.-]+)*)$/;

/** The canonical string for a MIME value; throws ValidationError for a value not in the enum. */
export function mimeToString(value: number): string {
  const text = MIME_STRINGS.get(value as MimeValue);
  if (text === undefined) throw new ValidationError(`Unknown Ensign MIME value ${value}`, "mimetype");
  return text;
}

/**
 * Best-effort content type → MIME value, with the SDKs' rules: exact match (case and surrounding
 * whitespace ignored); else decompose `prefix/mime+ext; k=v` and try `prefix/mime`,
 * `prefix/mime+ext`, `prefix/ext`, then the same with the other of text/application.
 * Numbers are accepted when they are enum values. Returns undefined when nothing matches.
 */
export function tryParseMime(input: string | number): MimeValue | undefined {
  if (typeof input === "number") return MIME_STRINGS.has(input as MimeValue) ? (input as MimeValue) : undefined;
  const text = input.trim().toLowerCase();
  const exact = VALUES_BY_STRING.get(text);
  if (exact !== undefined) return exact;
  const match = MIME_PATTERN.exec(text);
  if (!match) return undefined;
  const [, prefix, mime, ext] = match as unknown as [string, string, string, string | undefined];
  const alternate = prefix === "text" ? "application" : "text";
  for (const p of [prefix, alternate]) {
    const candidates = [`${p}/${mime}`, ext ? `${p}/${mime}+${ext}` : undefined, ext ? `${p}/${ext}` : undefined];
    for (const candidate of candidates) {
      const value = candidate === undefined ? undefined : VALUES_BY_STRING.get(candidate);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

/** As `tryParseMime`, but an unrecognised content type is a ValidationError. */
export function parseMime(input: string | number): MimeValue {
  const value = tryParseMime(input);
  if (value === undefined) {
    throw new ValidationError(`Unrecognised mimetype ${JSON.stringify(input)} (not in Ensign's MIME enum)`, "mimetype");
  }
  return value;
}
