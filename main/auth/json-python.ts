/**
 * JSON text exactly as Python's `json` module reads and writes it.
 *
 * MSAL Python persists its token cache with `json.dumps(cache, indent=4)` and reads it with
 * `json.loads`. To share a cache file byte for byte we need the same text in both directions:
 * insertion order kept for every key (JavaScript objects would move integer-like keys first),
 * `ensure_ascii` escapes, Python's float spelling, big integers, and `NaN`/`Infinity`.
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
  if (keys.some(isArrayIndexKey)) keyOrders.set(obj, [...keys]);
  else keyOrders.delete(obj);
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
    const lexeme = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(lexeme);
      return Number.isSafeInteger(n) ? n : BigInt(lexeme);
    }
    const f = Number(lexeme);
    // Whole floats need their ".0" back when written; others print unambiguously.
    return Number.isInteger(f) ? new PythonFloat(f) : f;
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
        if (!hasIndexKey && isArrayIndexKey(key)) hasIndexKey = true;
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

/**
 * Parse JSON text as Python's `json.loads` does.
 *
 * Accepts `NaN`, `Infinity` and `-Infinity`; rejects control characters inside strings, a BOM,
 * trailing commas and trailing data. Objects are plain objects whose key order is kept (see
 * `orderedKeys`); whole floats are `PythonFloat`; integers beyond 2^53 are `bigint`. Throws
 * `PythonJsonError`.
 */
export function parsePythonJson(text: string): unknown {
  return new Parser(text).parseDocument();
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

/**
 * Serialize a value as Python's `json.dumps(value, indent=indent)` does.
 *
 * With an indent: one item per line, `","` at line ends and `": "` after keys; `{}` and `[]`
 * stay on one line. Without: `", "` and `": "` on one line. `Map`s are written as objects in
 * their order, plain objects in `orderedKeys` order; properties whose value is `undefined` are
 * left out. Throws `PythonJsonError` for circular structures and values JSON cannot hold.
 */
export function dumpsPythonJson(value: unknown, indent?: number): string {
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
