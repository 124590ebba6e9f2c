import { CATEGORY_SEPARATOR } from "../../core/subscription-target.js";

/**
 * Stream ids as subject tokens. A token cannot hold `.`, `*`, `>` or whitespace and cannot be
 * empty, so letters, digits, `_` and `-` stay as they are and every other UTF-8 byte is written
 * `~XX` (`~` itself included); the empty string is `~`. The mapping is one-to-one, so two stream
 * ids never share a subject.
 *
 * Layout, under the JetStream stream's own name as first token:
 * - `account-42` → `<name>.account.42` (category, then the rest after the first `-`), so a
 *   category subscription is one single-subject filter, `<name>.account.*` (a 2.9 server takes
 *   only one filter subject per consumer);
 * - `settings` (no `-`) → `<name>.settings`.
 */
const KEPT = /^[A-Za-z0-9_-]$/;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

export function encodeToken(text: string): string {
  if (text === "") return "~";
  let out = "";
  for (const char of text) {
    if (KEPT.test(char)) out += char;
    else for (const byte of utf8.encode(char)) out += "~" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export function decodeToken(token: string): string {
  if (token === "~") return "";
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === "~") {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return fromUtf8.decode(new Uint8Array(bytes));
}

/** The subjects of one store, the JetStream stream `name`. */
export class SubjectLayout {
  /** Every event of the store: the stream's subjects and the `$all` filter. */
  readonly all: string;

  constructor(readonly name: string) {
    this.all = `${name}.>`;
  }

  of(stream: string): string {
    const at = stream.indexOf(CATEGORY_SEPARATOR);
    if (at < 0) return `${this.name}.${encodeToken(stream)}`;
    return `${this.name}.${encodeToken(stream.slice(0, at))}.${encodeToken(stream.slice(at + 1))}`;
  }

  category(category: string): string {
    return `${this.name}.${encodeToken(category)}.*`;
  }

  /** The stream id a subject of this store belongs to, or undefined for a subject not laid out by us. */
  streamOf(subject: string): string | undefined {
    const tokens = subject.split(".");
    if (tokens[0] !== this.name) return undefined;
    try {
      if (tokens.length === 2) return decodeToken(tokens[1]!);
      if (tokens.length === 3) return decodeToken(tokens[1]!) + CATEGORY_SEPARATOR + decodeToken(tokens[2]!);
    } catch {
      return undefined;
    }
    return undefined;
  }
}
