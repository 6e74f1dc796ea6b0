/**
 * Python semantics the token cache needs to read and write MSAL Python's cache exactly: `dict.get`,
 * truthiness, `str()`, `int()`, `str.split()`, `urlparse` of a token endpoint and `dict(old, **new)`.
 *
 * Kept apart from the cache so the cache reads as MSAL's algorithm and this file as the rules of
 * the language it was ported from (MSAL Python 1.31, token_cache.py and authority.py).
 */
import { AuthorityError, InvalidArgumentError } from './errors';
import { orderedKeys, PythonFloat, pythonFloatRepr, recordKeyOrder, setJsonProperty } from './json-python';

/** A cache entry as stored: a frozen JSON object. */
export type Entry = Readonly<Record<string, unknown>>;
/** A cache entry being built. */
export type MutableEntry = Record<string, unknown>;

/** `key in obj` for own properties only. */
export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** `dict.get(key)`: a missing key (or an undefined value, which JSON cannot carry) is absent. */
export function present(obj: Readonly<Record<string, unknown>>, key: string): boolean {
  return hasOwn(obj, key) && obj[key] !== undefined;
}

/** A JSON object (not an array, Map or wrapped float). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof PythonFloat);
}

/** Python's `bool(v)` for JSON-like values. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0; // NaN is truthy in Python
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'boolean') return v;
  if (v instanceof PythonFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Python's `str(v)` for scalars; undefined for values whose `str()` is not a plain spelling. */
export function pyStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v === 0 ? 0 : v) : pythonFloatRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (v instanceof PythonFloat) return pythonFloatRepr(v.value);
  return undefined;
}

/** Python's `int(v)` for the values a token response may carry; throws on anything else. */
export function pyInt(v: unknown, field: string): number {
  let n: number | undefined;
  if (typeof v === 'number' && Number.isFinite(v)) n = Math.trunc(v);
  else if (v instanceof PythonFloat && Number.isFinite(v.value)) n = Math.trunc(v.value);
  else if (typeof v === 'boolean') n = v ? 1 : 0;
  else if (typeof v === 'bigint') n = Number(v);
  else if (typeof v === 'string' && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(v)) n = Number(v.replace(/_/g, '').trim());
  if (n === undefined || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`The token response field "${field}" is not an integer.`, 'malformed_response');
  }
  return n;
}

/** `str(now + delta)` where `delta` may be a whole or fractional number, as in `refresh_on`. */
export function addSeconds(now: number, delta: unknown, field: string): string {
  if (typeof delta === 'number' && Number.isFinite(delta) && !Number.isInteger(delta)) return pythonFloatRepr(now + delta);
  if (delta instanceof PythonFloat) return pythonFloatRepr(now + delta.value);
  return String(now + pyInt(delta, field));
}

// Python's str.split() with no argument: runs of Unicode whitespace, no empty parts.
// eslint-disable-next-line no-control-regex -- \x1c-\x1f are whitespace to Python
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Python's `str.split()` with no argument. */
export function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((s) => s.length > 0);
}

/**
 * Python's `urlparse(url)` reduced to what `authority.canonicalize` needs: lowercased host and the
 * first path segment (the tenant, kept as written).
 */
export function canonicalize(url: unknown): { host: string | null; tenant: string } {
  if (typeof url !== 'string') {
    throw new AuthorityError('invalid_authority', 'The token endpoint must be an https URL string.');
  }
  let rest = url.trim();
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  let path = rest.split(/[?#]/, 1)[0] ?? '';
  // urlparse moves ";params" of the last segment out of the path.
  const semicolon = path.indexOf(';', path.lastIndexOf('/'));
  if (semicolon >= 0) path = path.slice(0, path.indexOf(';'));
  const parts = path.split('/');
  const tenant = parts[1];
  if (scheme !== 'https' || tenant === undefined || tenant === '') {
    throw new AuthorityError(
      'invalid_authority',
      `The token endpoint (${url}) should be an https URL with at least one path segment, ` +
        'e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.',
    );
  }
  const hostPort = netloc.slice(netloc.lastIndexOf('@') + 1);
  let host: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    host = close < 0 ? hostPort.slice(1) : hostPort.slice(1, close);
  } else {
    host = hostPort.split(':', 1)[0] ?? '';
  }
  return { host: host === '' ? null : host.toLowerCase(), tenant };
}

/** `dict(old, **new)`: the old keys in their order, new values winning, new keys appended. */
export function mergeEntries(oldEntry: object, newKeyValues: object): Entry {
  const out: MutableEntry = {};
  const keys: string[] = [];
  for (const src of [oldEntry, newKeyValues] as Record<string, unknown>[]) {
    for (const k of orderedKeys(src)) {
      const v = src[k];
      if (v === undefined) continue;
      if (!hasOwn(out, k)) keys.push(k);
      setJsonProperty(out, k, v);
    }
  }
  recordKeyOrder(out, keys);
  // Stored entries are shared with callers; freezing keeps the indexes honest.
  return Object.freeze(out);
}

/** Whether any value of `obj` is defined. */
export function hasDefinedKeys(obj: object): boolean {
  return Object.values(obj).some((v) => v !== undefined);
}

/** Now, in whole epoch seconds. */
export function currentEpochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `now` as whole epoch seconds (the current time when undefined). */
export function epochSeconds(now: number | undefined): number {
  if (now === undefined) return currentEpochSeconds();
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new InvalidArgumentError('`now` must be epoch seconds.');
  return Math.trunc(now);
}

