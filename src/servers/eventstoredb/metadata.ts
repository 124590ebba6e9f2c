// Stream metadata as the server reads it from the last event of `$$<stream>`: only the keys that
// change what readers see are interpreted ($tb, $maxCount, $maxAge); ACLs are not enforced.
export interface StreamMetadata {
  readonly truncateBefore?: bigint;
  readonly maxCount?: bigint;
  /** Seconds. */
  readonly maxAge?: bigint;
}

const TICKS_PER_SECOND = 10_000_000n;
/** The server keeps only the latest metadata record of every metastream. */
const METASTREAM_MAX_COUNT = 1n;

/**
 * Parses the raw JSON. Integers are read from the source text, not through JSON.parse, because
 * `$tb` of a soft-deleted stream is 2^63-1, which a JS number cannot hold.
 */
export function parseStreamMetadata(data: Uint8Array): StreamMetadata {
  const text = Buffer.from(data).toString("utf8");
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return {};
  } catch {
    return {};
  }
  return {
    truncateBefore: integerKey(text, "$tb"),
    maxCount: integerKey(text, "$maxCount"),
    maxAge: integerKey(text, "$maxAge"),
  };
}

function integerKey(text: string, key: string): bigint | undefined {
  const match = new RegExp(`"\\${key}"\\s*:\\s*(-?\\d+)`).exec(text);
  return match?.[1] === undefined ? undefined : BigInt(match[1]);
}

export function effectiveMetadata(stream: string, metadata: StreamMetadata): StreamMetadata {
  if (stream.startsWith("$$") && metadata.maxCount === undefined) {
    return { ...metadata, maxCount: METASTREAM_MAX_COUNT };
  }
  return metadata;
}

export function isVisible(
  event: { readonly revision: bigint; readonly created: bigint },
  lastRevision: bigint,
  metadata: StreamMetadata,
  nowTicks: bigint,
): boolean {
  if (metadata.truncateBefore !== undefined && event.revision < metadata.truncateBefore) return false;
  if (metadata.maxCount !== undefined && event.revision <= lastRevision - metadata.maxCount) return false;
  if (metadata.maxAge !== undefined && event.created < nowTicks - metadata.maxAge * TICKS_PER_SECOND) return false;
  return true;
}
