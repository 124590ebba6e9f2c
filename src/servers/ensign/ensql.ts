/**
 * EnSQL parsing as the Ensign server does it (a feed-forward state machine over a tokenizer).
 * Only what the server executes is kept: the topic, OFFSET, LIMIT. WHERE is parsed and then
 * ignored by the executor, exactly as in the real server.
 *
 * Tokenizer facts worth knowing (they are the real server's, and they bite):
 * - reserved words and operators are matched as case-insensitive PREFIXES of the remaining text,
 *   so a topic named `orders` tokenizes as `OR` + `ders` and `assets` as `AS` + `sets`;
 * - identifiers are `[a-zA-Z0-9_-]*`, so `FROM a.b` means topic `a`, schema `b` (topic names
 *   containing dots cannot be queried), and identifiers `t`, `f`, `true`, … are booleans;
 * - a token starting with a digit or `-` is numeric (`[-.0-9]*`).
 */

export interface ParsedQuery {
  topic: string;
  schema: string;
  version: number;
  offset: number | undefined;
  limit: number | undefined;
  hasWhere: boolean;
}

type TokenType = "empty" | "reserved" | "operator" | "asterisk" | "punct" | "ident" | "quoted" | "numeric" | "boolean";

interface Token {
  text: string;
  type: TokenType;
  length: number;
}

const RESERVED: ReadonlyArray<[string, TokenType]> = [
  ["SELECT", "reserved"],
  ["FROM", "reserved"],
  ["WHERE", "reserved"],
  ["AS", "reserved"],
  ["OFFSET", "reserved"],
  ["LIMIT", "reserved"],
  ["=", "operator"],
  ["!=", "operator"],
  ["<>", "operator"],
  [">=", "operator"],
  ["<=", "operator"],
  [">", "operator"],
  ["<", "operator"],
  ["AND", "operator"],
  ["OR", "operator"],
  ["LIKE", "operator"],
  ["ILIKE", "operator"],
  ["*", "asterisk"],
  [",", "punct"],
  [".", "punct"],
  ["(", "punct"],
  [")", "punct"],
  [";", "punct"],
];
const COMPARISON = new Set(["=", "!=", "<>", ">", "<", ">=", "<=", "LIKE", "ILIKE"]);
const LOGICAL = new Set(["AND", "OR"]);
const BOOLEAN = /^(1|t|T|True|true|TRUE|0|f|F|False|false|FALSE)$/;
const IDENT_CHAR = /[a-zA-Z0-9_-]/;
const NUMERIC_CHAR = /[-.0-9]/;
const EMPTY: Token = { text: "", type: "empty", length: 0 };

/** Error whose message is what the server puts in the INVALID_ARGUMENT status. */
export class EnsqlError extends Error {}

function syntaxError(position: number, near: string, message: string): EnsqlError {
  return new EnsqlError(`syntax error at position ${position} near ${JSON.stringify(near)}: ${message}`);
}

class Parser {
  private idx = 0;
  private pendingError: EnsqlError | undefined;

  constructor(private readonly sql: string) {}

  peek(): Token {
    const { sql, idx } = this;
    if (idx >= sql.length) return EMPTY;
    for (const [word, type] of RESERVED) {
      if (sql.slice(idx, idx + word.length).toUpperCase() === word) return { text: word, type, length: word.length };
    }
    const first = sql.charAt(idx);
    if (first === "'") return this.peekQuoted();
    if (first === "-" || /[0-9]/.test(first)) return this.scan(NUMERIC_CHAR, "numeric");
    const ident = this.scan(IDENT_CHAR, "ident");
    return BOOLEAN.test(ident.text) ? { ...ident, type: "boolean" } : ident;
  }

  pop(): Token {
    const token = this.peek();
    this.idx += token.length;
    while (this.idx < this.sql.length && /\s/.test(this.sql.charAt(this.idx))) this.idx++;
    return token;
  }

  get position(): number {
    return this.idx;
  }

  get done(): boolean {
    return this.idx >= this.sql.length;
  }

  takePendingError(): EnsqlError | undefined {
    return this.pendingError;
  }

  private scan(chars: RegExp, type: TokenType): Token {
    let end = this.idx;
    while (end < this.sql.length && chars.test(this.sql.charAt(end))) end++;
    const text = this.sql.slice(this.idx, end);
    return { text, type, length: text.length };
  }

  private peekQuoted(): Token {
    for (let i = this.idx + 1; i < this.sql.length; i++) {
      if (this.sql.charAt(i) === "'" && this.sql.charAt(i - 1) !== "\\") {
        const text = this.sql.slice(this.idx + 1, i);
        return { text, type: "quoted", length: text.length + 2 };
      }
    }
    this.pendingError = syntaxError(this.idx, this.sql.slice(this.idx, this.idx + 5), "quoted string missing closing quote");
    return { text: "", type: "empty", length: this.sql.length - this.idx };
  }
}

type Step =
  | "init"
  | "field"
  | "alias"
  | "from"
  | "schema"
  | "version"
  | "where"
  | "whereField"
  | "whereOperator"
  | "whereValue"
  | "whereClose"
  | "whereLogical"
  | "offset"
  | "limit"
  | "term";

/** Which step follows a clause, by the next token (undefined = not allowed there). */
function nextClause(token: Token, allowed: ReadonlyArray<"where" | "offset" | "limit">): Step | undefined {
  if (token.text === ";" || token.type === "empty") return "term";
  if (token.type !== "reserved") return undefined;
  const word = token.text.toLowerCase() as "where" | "offset" | "limit";
  return allowed.includes(word) ? word : undefined;
}

/** Parses an EnSQL statement; throws EnsqlError with the server's message when invalid. */
export function parseEnsql(input: string): ParsedQuery {
  const sql = input.trim();
  if (sql === "") throw new EnsqlError("empty query is invalid");
  const p = new Parser(sql);
  const query: ParsedQuery = { topic: "", schema: "", version: 0, offset: undefined, limit: undefined, hasWhere: false };
  const fields: Token[] = [];
  let step: Step = "init";
  let parens = 0;
  let conditionComplete = false;
  const fail = (near: string, message: string) => syntaxError(p.position, near, message);
  // OFFSET n and LIMIT n share one grammar: a number, once, then the other clause or the end.
  const parseBound = (clause: "offset" | "limit"): Step => {
    const other = clause === "offset" ? "LIMIT" : "OFFSET";
    p.pop();
    const value = p.peek();
    if (value.type !== "numeric") throw fail(value.text, `invalid ${clause}`);
    if (query[clause] !== undefined) throw fail(value.text, `${clause} has already been set`);
    const parsed = parseUnsigned(value.text, 64);
    if (parsed === undefined) throw fail(value.text, `could not parse ${clause}`);
    query[clause] = parsed;
    p.pop();
    const next = p.peek();
    if (next.text === other) return other === "LIMIT" ? "limit" : "offset";
    if (next.text === ";" || next.type === "empty") return "term";
    throw fail(next.text, `invalid ${clause} clause`);
  };

  while (!p.done) {
    switch (step) {
      case "init": {
        const token = p.peek();
        if (token.type !== "reserved" || token.text !== "SELECT") throw fail(token.text, "invalid query type");
        p.pop();
        step = "field";
        break;
      }
      case "field": {
        const field = p.peek();
        if (field.type !== "ident" && field.type !== "asterisk") {
          if (field.type === "reserved") throw new EnsqlError("SELECT requires field projection or *");
          throw fail(field.text, "invalid field identifier");
        }
        fields.push(field);
        p.pop();
        const next = p.peek();
        if (next.text === ",") {
          p.pop();
        } else if (next.text === "AS") step = "alias";
        else if (next.text === "FROM") step = "from";
        else throw fail(next.text, "invalid select fields statement");
        break;
      }
      case "alias": {
        p.pop();
        const alias = p.peek();
        if (alias.type !== "ident") throw fail(alias.text, "invalid alias identifier");
        if (fields[fields.length - 1]?.type === "asterisk") throw fail(alias.text, "cannot alias *");
        p.pop();
        const next = p.peek();
        if (next.text === ",") {
          p.pop();
          step = "field";
        } else if (next.text === "FROM") step = "from";
        else throw fail(next.text, "invalid select fields statement");
        break;
      }
      case "from": {
        p.pop();
        const topic = p.peek();
        if (topic.type !== "ident") throw fail(topic.text, "invalid topic identifier");
        if (query.topic !== "") throw fail(topic.text, "topic has already been identified");
        query.topic = topic.text;
        p.pop();
        const next = p.peek();
        if (next.text === ".") {
          p.pop();
          step = "schema";
        } else {
          const following = nextClause(next, ["where", "offset", "limit"]);
          if (!following) throw fail(next.text, "invalid from clause");
          step = following;
        }
        break;
      }
      case "schema": {
        const schema = p.peek();
        if (schema.type !== "ident" && schema.type !== "asterisk") throw fail(schema.text, "invalid schema identifier");
        if (query.schema !== "") throw fail(schema.text, "topic schema has already been identified");
        query.schema = schema.text;
        p.pop();
        const next = p.peek();
        if (next.text === ".") {
          if (schema.type === "asterisk") throw fail(next.text, "cannot specify version for * schema");
          p.pop();
          step = "version";
        } else {
          const following = nextClause(next, ["where", "offset", "limit"]);
          if (!following) throw fail(next.text, "invalid from clause");
          step = following;
        }
        break;
      }
      case "version": {
        const version = p.peek();
        if (version.type !== "numeric") throw fail(version.text, "invalid version identifier");
        if (query.version !== 0) throw fail(version.text, "topic version has already been identified");
        const parsed = parseUnsigned(version.text, 32);
        if (parsed === undefined) throw fail(version.text, "could not parse schema version");
        query.version = parsed;
        p.pop();
        const following = nextClause(p.peek(), ["where", "offset", "limit"]);
        if (!following) throw fail(p.peek().text, "invalid from clause");
        step = following;
        break;
      }
      case "where": {
        const word = p.pop();
        if (query.hasWhere) throw fail(word.text, "where clause has already been identified");
        query.hasWhere = true;
        const next = p.peek();
        if (next.text === "(") {
          parens++;
          p.pop();
        } else if (next.type !== "ident") throw fail(next.text, "invalid where clause");
        step = "whereField";
        break;
      }
      case "whereField": {
        const field = p.pop();
        if (field.type !== "ident") throw fail(field.text, "where clause predicates expressions must start with an identifier");
        conditionComplete = false;
        const next = p.peek();
        if (next.type !== "operator") throw fail(next.text, "invalid where clause");
        step = "whereOperator";
        break;
      }
      case "whereOperator": {
        const op = p.pop();
        if (op.type !== "operator" || !COMPARISON.has(op.text)) {
          throw fail(op.text, "where clause expressions require comparison operators");
        }
        const next = p.peek();
        if (next.type !== "quoted" && next.type !== "numeric" && next.type !== "boolean") {
          throw fail(next.text, "invalid where clause");
        }
        step = "whereValue";
        break;
      }
      case "whereValue": {
        const value = p.pop();
        if (conditionComplete) throw fail(value.text, "cannot append or update condition in group");
        conditionComplete = true;
        const next = p.peek();
        if (next.text === ")") step = "whereClose";
        else if (LOGICAL.has(next.text)) step = "whereLogical";
        else step = nextClause(next, ["offset", "limit"]) ?? "whereValue";
        break;
      }
      case "whereClose": {
        const close = p.pop();
        if (close.text !== ")") {
          throw new EnsqlError(`parser has reached an unhandled state: expected ")" but received ${JSON.stringify(close.text)}`);
        }
        if (parens === 0) throw fail(")", "cannot close expression parentheses");
        parens--;
        const next = p.peek();
        if (LOGICAL.has(next.text)) step = "whereLogical";
        else step = nextClause(next, ["offset", "limit"]) ?? "whereClose";
        break;
      }
      case "whereLogical": {
        const op = p.pop();
        if (op.type !== "operator" || !LOGICAL.has(op.text)) {
          throw fail(op.text, "where clause predicates require logical operators");
        }
        const next = p.peek();
        if (next.text === "(") {
          parens++;
          p.pop();
        } else if (next.type !== "ident") throw fail(next.text, "invalid where clause");
        step = "whereField";
        break;
      }
      case "offset":
      case "limit":
        step = parseBound(step);
        break;
      case "term": {
        const token = p.pop();
        if (!(token.text === ";" || token.type === "empty")) {
          throw new EnsqlError(`parser has reached an unhandled state: expected ";" but received ${JSON.stringify(token.text)}`);
        }
        break;
      }
    }
    const pending = p.takePendingError();
    if (pending) throw pending;
  }

  if (query.topic === "") throw new EnsqlError("topic name cannot be empty");
  if (fields.length === 0) throw new EnsqlError("SELECT requires field projection or *");
  if (fields.some((f) => f.type === "asterisk") && fields.length !== 1) {
    throw new EnsqlError("cannot select * and specify fields");
  }
  return query;
}

/** strconv.ParseUint(text, 10, bits): digits only, in range; undefined otherwise. */
function parseUnsigned(text: string, bits: 32 | 64): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value >= 1n << BigInt(bits)) return undefined;
  // Offsets beyond 2^53 cannot index an in-memory log anyway; clamp to the largest safe integer.
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
