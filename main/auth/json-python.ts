/**
 * JSON text exactly as Python's `json` module reads and writes it.
 *
 * MSAL Python persists its token cache with `json.dumps(cache, indent=4)` and reads it with
 * `json.loads`. To share a cache file byte for byte we need the same text in both directions:
 * insertion order kept for every key (JavaScript objects would move integer-like keys first),
 * `ensure_ascii` escapes, Python's float spelling, big integers, and `NaN`/`Infinity`.
 *
 * Over 500 lines because it is a reader and a writer of one format, each with a fast path (the
 * native JSON functions) and an exact one, and they must agree character for character.
 */
import { AuthError } from './errors';

/**
 * A JSON number Python reads as a `float` whose value happens to be whole, such as `1.0`.
 *
 * JavaScript has one number type, so without this wrapper `1.0` would be written back as `1`.
 * Non-whole floats are plain numbers (their spelling is unambiguous); integers beyond 2^53 are
 * `bigint`.
 */
export class PythonFloat {
  /** Wrap a float value. */
  constructor(readonly value: number) {}
}

/**
 * Text that Python's `json.loads` would reject, or a value `json.dumps` could not write.
 *
 * The message gives a position, never the text itself: a cache holds tokens.
 */
export class PythonJsonError extends AuthError {
  override readonly name = 'PythonJsonError';
  constructor(message: string) {
    super('malformed_response', message);
  }
}

// Key order of parsed objects that a plain object would not keep (integer-like keys).
const keyOrders = new WeakMap<object, readonly string[]>();

// Python's default recursion limit bounds nesting depth in json.loads as well.
const MAX_DEPTH = 1000;

function isArrayIndexKey(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

/**
 * Remember the key order of `obj` when JavaScript would not keep it by itself.
 *
 * Only needed when some key is integer-like; otherwise property order already is insertion order.
 */
export function recordKeyOrder(obj: object, keys: readonly string[]): void {
  if (keys.some(isIntegerLikeKey)) keyOrders.set(obj, [...keys]);
  else keyOrders.delete(obj);
}

/** `isArrayIndexKey`, with a cheap first-character test in front for the usual non-digit keys. */
function isIntegerLikeKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 && isArrayIndexKey(key);
}

/**
 * The own enumerable keys of `obj` in Python insertion order.
 *
 * Keys recorded by the parser (or by `recordKeyOrder`) come first in their recorded order; any
 * key added later follows in JavaScript property order.
 */
export function orderedKeys(obj: object): string[] {
  const own = Object.keys(obj);
  const recorded = keyOrders.get(obj);
  if (!recorded) return own;
  const present = new Set(own);
  const result = recorded.filter((k) => present.has(k));
  const seen = new Set(result);
  for (const k of own) if (!seen.has(k)) result.push(k);
  return result;
}

/**
 * Set `obj[key] = value` as an own data property, even when `key` is `"__proto__"`.
 *
 * JSON may carry any key; assigning `"__proto__"` would change the prototype instead.
 */
export function setJsonProperty(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

const WS = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
// Control characters are exactly what a strict JSON string may not contain raw.
// eslint-disable-next-line no-control-regex
const PLAIN_CHARS = /[^"\\\u0000-\u001f]*/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};

/** The value of a JSON number as Python reads it: int (maybe `bigint`) or float (maybe `PythonFloat`). */
function numberFromLexeme(lexeme: string, isFloat: boolean): unknown {
  if (!isFloat) {
    const n = Number(lexeme);
    return Number.isSafeInteger(n) ? n : BigInt(lexeme);
  }
  const f = Number(lexeme);
  // Whole floats need their ".0" back when written; others print unambiguously.
  return Number.isInteger(f) ? new PythonFloat(f) : f;
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    this.skipWs();
    const value = this.parseValue(0);
    this.skipWs();
    if (this.pos !== this.text.length) this.fail('Extra data');
    return value;
  }

  private fail(what: string): never {
    throw new PythonJsonError(`${what} at character ${this.pos}.`);
  }

  private skipWs(): void {
    WS.lastIndex = this.pos;
    WS.exec(this.text);
    this.pos = WS.lastIndex;
  }

  private parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('Nesting too deep');
    const text = this.text;
    const c = text[this.pos];
    switch (c) {
      case '{': return this.parseObject(depth);
      case '[': return this.parseArray(depth);
      case '"': return this.parseString();
      case 'n': return this.literal('null', null);
      case 't': return this.literal('true', true);
      case 'f': return this.literal('false', false);
      case 'N': return this.literal('NaN', Number.NaN);
      case 'I': return this.literal('Infinity', Number.POSITIVE_INFINITY);
      default:
        if (c === '-' && text.startsWith('-Infinity', this.pos)) return this.literal('-Infinity', Number.NEGATIVE_INFINITY);
        return this.parseNumber();
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('Expecting value');
    this.pos += word.length;
    return value;
  }

  private parseNumber(): unknown {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('Expecting value');
    this.pos = NUMBER.lastIndex;
    return numberFromLexeme(m[0], m[1] !== undefined || m[2] !== undefined);
  }

  private parseString(): string {
    const text = this.text;
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      PLAIN_CHARS.lastIndex = this.pos;
      PLAIN_CHARS.exec(text);
      out += text.slice(this.pos, PLAIN_CHARS.lastIndex);
      this.pos = PLAIN_CHARS.lastIndex;
      const c = text[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === undefined) this.fail('Unterminated string');
      if (c !== '\\') this.fail('Invalid control character'); // strict mode, like json.loads
      const e = text[this.pos + 1];
      if (e === 'u') {
        const hex = text.slice(this.pos + 2, this.pos + 6);
        if (!HEX4.test(hex)) this.fail('Invalid \\uXXXX escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (e !== undefined && SIMPLE_ESCAPES[e] !== undefined) {
        out += SIMPLE_ESCAPES[e];
        this.pos += 2;
      } else {
        this.fail('Invalid \\escape');
      }
    }
  }

  private parseObject(depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const keys: string[] = [];
    let hasIndexKey = false;
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('Expecting property name enclosed in double quotes');
      const key = this.parseString();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail("Expecting ':' delimiter");
      this.pos++;
      this.skipWs();
      const value = this.parseValue(depth + 1);
      // A repeated key keeps its first position and takes the last value, as in a Python dict.
      if (!Object.prototype.hasOwnProperty.call(obj, key)) {
        keys.push(key);
        if (!hasIndexKey && isIntegerLikeKey(key)) hasIndexKey = true;
      }
      setJsonProperty(obj, key, value);
      this.skipWs();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') break;
      if (c !== ',') {
        this.pos--;
        this.fail("Expecting ',' delimiter");
      }
      this.skipWs();
    }
    if (hasIndexKey) keyOrders.set(obj, keys);
    return obj;
  }

  private parseArray(depth: number): unknown[] {
    const arr: unknown[] = [];
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue(depth + 1));
      this.skipWs();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return arr;
      if (c !== ',') {
        this.pos--;
        this.fail("Expecting ',' delimiter");
      }
      this.skipWs();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fast path: V8's JSON.parse, when it provably gives what the exact parser would.
//
// For text both accept, JSON.parse and the exact parser agree on everything except:
// - integer-like keys, which JSON.parse moves to the front of their object (ES2015 property order);
// - numbers the exact parser wraps (whole floats such as `1.0`, `1e5`) or widens (integers beyond
//   2^53), which JSON.parse turns into plain, differently spelled numbers;
// - nesting deeper than Python's recursion limit, which only JSON.parse accepts.
// Everything else already matches: the same string grammar and escapes (lone surrogates stay lone
// code units in both), the same whitespace, and a repeated key keeps its first position with the
// last value (ECMA-262 JSON.parse uses CreateDataProperty, which keeps creation order, as a
// Python dict does). Text JSON.parse rejects (`NaN`, `Infinity`, errors) goes to the exact parser,
// which accepts it or throws the Python-style error.

// What a walk over a JSON.parse result found, in increasing order of trouble.
type Walk = 0 | 1 | 2;
const LOSSLESS = 0;
const NUMBERS_TO_CHECK = 1; // some number whose spelling the text must tell
const LOSSY = 2;

/** Classify a JSON.parse result; mirrors the exact parser's depth limit. */
function walkNative(value: unknown, depth: number): Walk {
  if (typeof value !== 'object' || value === null) {
    // A number's spelling is lost in `value`; whole ones and infinities need a look at the text.
    return typeof value === 'number' && (Number.isInteger(value) || !Number.isFinite(value))
      ? NUMBERS_TO_CHECK
      : LOSSLESS;
  }
  let result: Walk = LOSSLESS;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // A member sits one level deeper; the exact parser refuses it beyond Python's limit.
      if (depth >= MAX_DEPTH) return LOSSY;
      const item: unknown = value[i];
      // Strings are by far the most common member; skip the call for them.
      if (typeof item === 'string') continue;
      const r = walkNative(item, depth + 1);
      if (r === LOSSY) return r;
      if (r > result) result = r;
    }
    return result;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    if (depth >= MAX_DEPTH) return LOSSY;
    if (isIntegerLikeKey(key)) return LOSSY;
    const item = obj[key];
    if (typeof item === 'string') continue;
    const r = walkNative(item, depth + 1);
    if (r === LOSSY) return r;
    if (r > result) result = r;
  }
  return result;
}

// A whole string token (so that digits inside strings are skipped) or a number token.
const STRING_OR_NUMBER = /"[^"\\]*(?:\\.[^"\\]*)*"|-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/g;

/** True when every number in (valid) JSON text reads as the plain number JSON.parse gives. */
function numbersArePlain(text: string): boolean {
  STRING_OR_NUMBER.lastIndex = 0;
  for (let m = STRING_OR_NUMBER.exec(text); m !== null; m = STRING_OR_NUMBER.exec(text)) {
    const lexeme = m[0];
    if (lexeme.charCodeAt(0) === 0x22) continue;
    const exact = numberFromLexeme(lexeme, m[1] !== undefined || m[2] !== undefined);
    // `-0` is an int 0 to Python; plain, but rare enough to leave to the exact parser.
    if (typeof exact !== 'number' || Object.is(exact, -0)) return false;
  }
  return true;
}

/** Which parser produced a value: V8's `JSON.parse` (provably lossless) or the exact one. */
export type PythonJsonParser = 'native' | 'exact';

/** A parsed JSON document and the parser that produced it. */
export interface ParsedPythonJson {
  /** The value, as `parsePythonJson` returns it. */
  readonly value: unknown;
  /** `native` when JSON.parse's result was provably the same; `exact` otherwise. */
  readonly parser: PythonJsonParser;
}

/**
 * Parse JSON text as Python's `json.loads` does, and say which parser did it.
 *
 * Tries V8's `JSON.parse` first and keeps its result only when nothing in it can differ from the
 * exact parser's (no integer-like object keys, no number whose spelling or type would change, no
 * nesting beyond Python's limit); otherwise parses again with the exact parser. Same value and
 * errors as `parsePythonJson`.
 */
export function parsePythonJsonDetailed(text: string): ParsedPythonJson {
  let native: unknown;
  let parsed = false;
  try {
    native = JSON.parse(text);
    parsed = true;
  } catch {
    // NaN, Infinity, malformed text or a stack overflow: the exact parser decides.
  }
  if (parsed) {
    const walk = walkNative(native, 0);
    if (walk === LOSSLESS || (walk === NUMBERS_TO_CHECK && numbersArePlain(text))) {
      return { value: native, parser: 'native' };
    }
  }
  return { value: new Parser(text).parseDocument(), parser: 'exact' };
}

/**
 * Parse JSON text as Python's `json.loads` does.
 *
 * Accepts `NaN`, `Infinity` and `-Infinity`; rejects control characters inside strings, a BOM,
 * trailing commas and trailing data. Objects are plain objects whose key order is kept (see
 * `orderedKeys`); whole floats are `PythonFloat`; integers beyond 2^53 are `bigint`. Throws
 * `PythonJsonError`. Uses V8's `JSON.parse` when that is provably lossless (see
 * `parsePythonJsonDetailed`).
 */
export function parsePythonJson(text: string): unknown {
  return parsePythonJsonDetailed(text).value;
}

/**
 * Spell a float as Python's `repr(float)` does.
 *
 * Shortest round-trip digits; scientific notation when the exponent is below -4 or at least 16,
 * with a sign and at least two exponent digits (`1e+16`, `1.5e-05`); otherwise fixed notation
 * that always has a fraction (`1.0`).
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that round-trip, as repr does.
  const [mantissa = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  return `${sign}${intPart}.${digits.slice(exp + 1) || '0'}`;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return pythonFloatRepr(n);
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  return pythonFloatRepr(n);
}

const PRINTABLE_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Quote a string as Python's `json.dumps` does with `ensure_ascii=True`.
 *
 * Everything outside printable ASCII becomes a lowercase `\uXXXX` escape per UTF-16 code unit
 * (so astral characters become surrogate pairs); `/` is not escaped.
 */
export function pythonJsonString(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return `"${text}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(start, i);
    start = i + 1;
    switch (code) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      default: out += `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
  return `${out}${text.slice(start)}"`;
}

// ---------------------------------------------------------------------------------------------
// Fast path: V8's JSON.stringify, when its text is provably Python's.
//
// With an indent of 1 to 10 spaces, JSON.stringify lays out objects and arrays exactly as
// json.dumps(indent=n) does (one member per line, "," at line ends, ": " after keys, "{}" and "[]"
// inline) and escapes strings the same way (short forms for \b \f \n \r \t, lowercase \u00XX for
// other controls, lone surrogates as lowercase \udXXX, "/" left alone). The differences: it writes
// characters from U+007F up as they are, where ensure_ascii escapes each UTF-16 code unit (fixed
// afterwards, since outside strings the text is pure ASCII); it spells floats and huge integers
// differently and knows nothing of PythonFloat, bigint or Map; and it orders integer-like keys
// first. A walk rejects all of those, and they go to the exact writer.

const MAX_NATIVE_INDENT = 10; // JSON.stringify caps the gap at ten characters
const MAX_NATIVE_DEPTH = 1000; // deeper (or circular) values go to the exact writer, which reports cycles

/** True when JSON.stringify writes `value` as the exact writer would, ASCII escaping aside. */
function nativeWritable(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  // Non-integers from 1e-4 up are spelled alike (shortest digits, fixed notation) by both.
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) || (Number.isFinite(value) && !Number.isInteger(value) && Math.abs(value) >= 1e-4);
  }
  if (typeof value !== 'object' || depth >= MAX_NATIVE_DEPTH) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'string' && item !== undefined && !nativeWritable(item, depth + 1)) return false;
    }
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || keyOrders.has(value)) return false;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    if (isIntegerLikeKey(key)) return false;
    const item = obj[key];
    if (typeof item !== 'string' && item !== undefined && !nativeWritable(item, depth + 1)) return false;
  }
  return true;
}

/** True when `Object.prototype` has enumerable properties (polluted), which for-in would visit. */
function hasInheritedEnumerables(): boolean {
  for (const key in Object.prototype) if (key) return true;
  return false;
}

// Everything ensure_ascii escapes that JSON.stringify leaves as it is.
const NOT_ASCII = /[\u007f-\uffff]/;
const NOT_ASCII_GLOBAL = /[\u007f-\uffff]/g;

function escapeCodeUnit(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Which writer produced a text: V8's `JSON.stringify` (provably identical) or the exact one. */
export type PythonJsonWriter = 'native' | 'exact';

/** A serialized JSON text and the writer that produced it. */
export interface DumpedPythonJson {
  /** The text, as `dumpsPythonJson` returns it. */
  readonly text: string;
  /** `native` when JSON.stringify's text was provably the same; `exact` otherwise. */
  readonly writer: PythonJsonWriter;
}

/**
 * Serialize a value as Python's `json.dumps(value, indent=indent)` does, and say which writer did it.
 *
 * With an indent of 1 to 10 and a value made only of plain objects without integer-like keys,
 * arrays, strings, booleans, null and safe integers, uses V8's `JSON.stringify` and escapes
 * non-ASCII afterwards; otherwise the exact writer. Same text and errors as `dumpsPythonJson`.
 */
export function dumpsPythonJsonDetailed(value: unknown, indent?: number): DumpedPythonJson {
  if (
    indent !== undefined && Number.isInteger(indent) && indent >= 1 && indent <= MAX_NATIVE_INDENT &&
    typeof value === 'object' && value !== null && !hasInheritedEnumerables() && nativeWritable(value, 0)
  ) {
    const text = JSON.stringify(value, null, indent);
    return { text: NOT_ASCII.test(text) ? text.replace(NOT_ASCII_GLOBAL, escapeCodeUnit) : text, writer: 'native' };
  }
  return { text: dumpsExact(value, indent), writer: 'exact' };
}

/**
 * Serialize a value as Python's `json.dumps(value, indent=indent)` does.
 *
 * With an indent: one item per line, `","` at line ends and `": "` after keys; `{}` and `[]`
 * stay on one line. Without: `", "` and `": "` on one line. `Map`s are written as objects in
 * their order, plain objects in `orderedKeys` order; properties whose value is `undefined` are
 * left out. Throws `PythonJsonError` for circular structures and values JSON cannot hold. Uses
 * V8's `JSON.stringify` when that is provably identical (see `dumpsPythonJsonDetailed`).
 */
export function dumpsPythonJson(value: unknown, indent?: number): string {
  return dumpsPythonJsonDetailed(value, indent).text;
}

function dumpsExact(value: unknown, indent: number | undefined): string {
  let out = '';
  const active = new Set<object>();
  const newlines: string[] = [];
  const newline = (level: number): string => {
    if (indent === undefined) return '';
    return (newlines[level] ??= `\n${' '.repeat(indent * level)}`);
  };
  const itemSep = indent === undefined ? ', ' : ',';

  const enter = (obj: object): void => {
    if (active.has(obj)) throw new PythonJsonError('Circular reference detected.');
    active.add(obj);
  };

  const writeMembers = (obj: object, keys: Iterable<string>, get: (k: string) => unknown, level: number): void => {
    enter(obj);
    let first = true;
    const inner = newline(level + 1);
    for (const key of keys) {
      const item = get(key);
      if (item === undefined) continue;
      out += first ? `{${inner}` : `${itemSep}${inner}`;
      first = false;
      out += `${pythonJsonString(key)}: `;
      write(item, level + 1);
    }
    out += first ? '{}' : `${newline(level)}}`;
    active.delete(obj);
  };

  const write = (v: unknown, level: number): void => {
    if (v === null || v === undefined) out += 'null';
    else if (typeof v === 'string') out += pythonJsonString(v);
    else if (typeof v === 'boolean') out += v ? 'true' : 'false';
    else if (typeof v === 'number') out += numberText(v);
    else if (typeof v === 'bigint') out += v.toString();
    else if (v instanceof PythonFloat) out += pythonFloatRepr(v.value);
    else if (Array.isArray(v)) {
      enter(v);
      const inner = newline(level + 1);
      for (let i = 0; i < v.length; i++) {
        out += i === 0 ? `[${inner}` : `${itemSep}${inner}`;
        write(v[i], level + 1);
      }
      out += v.length === 0 ? '[]' : `${newline(level)}]`;
      active.delete(v);
    } else if (v instanceof Map) {
      const map = v as Map<unknown, unknown>;
      for (const k of map.keys()) if (typeof k !== 'string') throw new PythonJsonError('Object keys must be strings.');
      writeMembers(map, map.keys() as Iterable<string>, (k) => map.get(k), level);
    } else if (typeof v === 'object') {
      const rec = v as Record<string, unknown>;
      writeMembers(rec, orderedKeys(rec), (k) => rec[k], level);
    } else {
      throw new PythonJsonError(`A ${typeof v} is not JSON serializable.`);
    }
  };

  write(value, 0);
  return out;
}
