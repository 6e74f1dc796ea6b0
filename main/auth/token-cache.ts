/**
 * The token cache: MSAL Python's `TokenCache` and `SerializableTokenCache`, ported.
 *
 * Entries, keys and the serialized JSON follow MSAL's unified schema exactly as MSAL Python writes
 * it, so a cache file can be shared with MSAL Python in both directions. Unlike MSAL Python, lookups
 * go through in-memory indexes (by home account and environment, and for access tokens also by
 * client and realm), so a search costs the same with ten thousand accounts as with one.
 */
import { sortScopes } from './scopes';
import type {
  AccessTokenEntry,
  AccountEntry,
  AppMetadataEntry,
  CacheEntry,
  CacheEntryOf,
  CredentialType,
  IdTokenEntry,
  RefreshTokenEntry,
  SearchOptions,
  TokenEvent,
} from './cache-types';
import { AuthorityError, CacheFormatError, InvalidArgumentError } from './errors';
import {
  PythonFloat,
  dumpsPythonJson,
  orderedKeys,
  parsePythonJson,
  pythonFloatRepr,
  recordKeyOrder,
  setJsonProperty,
} from './json-python';


type Entry = Readonly<Record<string, unknown>>;
type MutableEntry = Record<string, unknown>;

const CREDENTIAL_TYPES: ReadonlySet<string> = new Set<CredentialType>([
  'AccessToken',
  'RefreshToken',
  'IdToken',
  'Account',
  'AppMetadata',
]);

// Most specific first; a search uses the first index whose fields all appear in its query.
const INDEXED_FIELDS: Readonly<Record<CredentialType, readonly (readonly string[])[]>> = {
  AccessToken: [
    ['home_account_id', 'environment', 'client_id', 'realm'],
    ['home_account_id', 'environment'],
  ],
  RefreshToken: [['home_account_id', 'environment']],
  IdToken: [['home_account_id', 'environment']],
  Account: [['home_account_id', 'environment']],
  AppMetadata: [['environment', 'client_id']],
};

// Grants after which MSAL Python records `account_source` (token_cache.py, MSAL Python 1.31).
const ACCOUNT_SOURCE_GRANTS: ReadonlySet<unknown> = new Set([
  'broker',
  'authorization_code',
  'password',
  'urn:ietf:params:oauth:grant-type:device_code',
]);

// ---------------------------------------------------------------------------------------------
// Python semantics helpers

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** `dict.get(key)`: a missing key (or an undefined value, which JSON cannot carry) is absent. */
function present(obj: Readonly<Record<string, unknown>>, key: string): boolean {
  return hasOwn(obj, key) && obj[key] !== undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof PythonFloat);
}

/** Python's `bool(v)` for JSON-like values. */
function truthy(v: unknown): boolean {
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
function pyStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v === 0 ? 0 : v) : pythonFloatRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (v instanceof PythonFloat) return pythonFloatRepr(v.value);
  return undefined;
}

/** Python's `int(v)` for the values a token response may carry; throws on anything else. */
function pyInt(v: unknown, field: string): number {
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
function addSeconds(now: number, delta: unknown, field: string): string {
  if (typeof delta === 'number' && Number.isFinite(delta) && !Number.isInteger(delta)) return pythonFloatRepr(now + delta);
  if (delta instanceof PythonFloat) return pythonFloatRepr(now + delta.value);
  return String(now + pyInt(delta, field));
}

// Python's str.split() with no argument: runs of Unicode whitespace, no empty parts.
// eslint-disable-next-line no-control-regex -- \x1c-\x1f are whitespace to Python
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((s) => s.length > 0);
}

function entryTargetScopes(entry: Entry): Set<string> {
  const target = entry['target'];
  return new Set(typeof target === 'string' ? pySplit(target) : []);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeBase64Json(part: string): unknown {
  // Standard or url-safe alphabet, padding optional (MSAL's lenient decode_part).
  const text = STRICT_UTF8.decode(Buffer.from(part, 'base64'));
  return parsePythonJson(text);
}

/** The payload of a JWT, decoded without any verification; `{}` when it cannot be read. */
function unverifiedJwtClaims(token: unknown): Record<string, unknown> {
  if (typeof token !== 'string') return {};
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const claims = decodeBase64Json(payload);
    return isRecord(claims) ? claims : {};
  } catch {
    return {};
  }
}

/** `"{uid}.{utid}"` from a client_info that decodes to JSON with both; undefined otherwise. */
function homeAccountIdFromClientInfo(clientInfo: unknown): string | undefined {
  if (typeof clientInfo !== 'string') return undefined;
  let decoded: unknown;
  try {
    decoded = decodeBase64Json(clientInfo);
  } catch {
    return undefined; // treated as absent rather than failing the whole sign-in
  }
  if (!isRecord(decoded) || !hasOwn(decoded, 'uid') || !hasOwn(decoded, 'utid')) return undefined;
  const uid = pyStr(decoded['uid']);
  const utid = pyStr(decoded['utid']);
  return uid === undefined || utid === undefined ? undefined : `${uid}.${utid}`;
}

/**
 * Python's `urlparse(url)` reduced to what `authority.canonicalize` needs: lowercased host and the
 * first path segment (the tenant, kept as written).
 */
function canonicalize(url: unknown): { host: string | null; tenant: string } {
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
function mergeEntries(oldEntry: object, newKeyValues: object): Entry {
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

function hasDefinedKeys(obj: object): boolean {
  return Object.values(obj).some((v) => v !== undefined);
}

function currentEpochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function epochSeconds(now: number | undefined): number {
  if (now === undefined) return currentEpochSeconds();
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new InvalidArgumentError('`now` must be epoch seconds.');
  return Math.trunc(now);
}

// ---------------------------------------------------------------------------------------------
// Storage and indexes

// Index tokens for field values that are not a string or null. A missing field and a non-string
// value are told apart from every string; a query can never ask for OTHER, so those never match.
const MISSING = Symbol('missing');
const OTHER = Symbol('other');
type FieldToken = string | null | typeof MISSING | typeof OTHER;

/** Index token of one field: the value itself for strings and null. */
function fieldToken(entry: Entry, field: string): FieldToken {
  const value = entry[field];
  if (value === undefined || !hasOwn(entry, field)) return MISSING;
  if (value === null || typeof value === 'string') return value;
  return OTHER;
}

/** Keys of one bucket: usually one, so the key itself until a second arrives. */
type Bucket = string | Set<string>;
// One level per indexed field; the last level holds buckets.
type IndexNode = Map<FieldToken, IndexNode | Bucket>;

const NO_KEYS: readonly string[] = [];

/**
 * Cache keys grouped by the values of a few fields, as a tree of Maps with one level per field.
 *
 * Keyed by the field values themselves, so a load builds no composite key strings; and a bucket
 * is a bare key until it holds two, since a Set per entry would dominate load time and memory.
 */
class FieldIndex {
  private readonly root: IndexNode = new Map();
  // Fields with few distinct values (environment, realm) first, so upper levels stay small.
  private readonly levels: readonly string[];

  constructor(readonly fields: readonly string[]) {
    this.levels = [...fields].reverse();
  }

  add(key: string, entry: Entry): void {
    const levels = this.levels;
    const last = levels.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const token = fieldToken(entry, levels[i]!);
      let next = node.get(token) as IndexNode | undefined;
      if (next === undefined) node.set(token, (next = new Map()));
      node = next;
    }
    const token = fieldToken(entry, levels[last]!);
    const keys = node.get(token) as Bucket | undefined;
    if (keys === undefined) node.set(token, key);
    else if (typeof keys !== 'string') keys.add(key);
    else if (keys !== key) node.set(token, new Set([keys, key]));
  }

  remove(key: string, entry: Entry): void {
    const path: [IndexNode, FieldToken][] = [];
    let node = this.root;
    for (const field of this.levels) {
      const token = fieldToken(entry, field);
      path.push([node, token]);
      const next = node.get(token);
      if (next === undefined) return;
      if (path.length < this.levels.length) node = next as IndexNode;
    }
    const [leaf, token] = path[path.length - 1]!;
    const keys = leaf.get(token) as Bucket;
    if (typeof keys === 'string') {
      if (keys !== key) return;
      leaf.delete(token);
    } else {
      keys.delete(key);
      if (keys.size > 0) return;
      leaf.delete(token);
    }
    // Prune levels left empty, so a churning cache does not keep dead branches.
    for (let i = path.length - 1; i > 0 && path[i]![0].size === 0; i--) {
      const [parent, parentToken] = path[i - 1]!;
      parent.delete(parentToken);
    }
  }

  /** Keys stored in the bucket that `entry` itself belongs to. */
  keysLike(entry: Entry): Iterable<string> {
    return this.bucket(this.levels.map((field) => fieldToken(entry, field)));
  }

  /** Keys that may match `query`, or undefined when the query does not pin every indexed field. */
  lookup(query: Readonly<Record<string, unknown>>): Iterable<string> | undefined {
    const tokens: FieldToken[] = [];
    for (const field of this.levels) {
      if (!hasOwn(query, field)) return undefined;
      const v = query[field];
      if (v !== null && typeof v !== 'string') return undefined;
      tokens.push(v);
    }
    return this.bucket(tokens);
  }

  private bucket(tokens: readonly FieldToken[]): Iterable<string> {
    let found: IndexNode | Bucket | undefined = this.root;
    for (const token of tokens) {
      found = (found as IndexNode).get(token);
      if (found === undefined) return NO_KEYS;
    }
    return typeof found === 'string' ? [found] : (found as Set<string>);
  }
}

interface Slot {
  entry: Entry;
  readonly seq: number;
}

interface ExpiryItem {
  readonly at: number;
  readonly key: string;
  readonly entry: Entry;
}

/** Min-heap of access-token expiry times; stale items are skipped when popped. */
class ExpiryHeap {
  private items: ExpiryItem[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: ExpiryItem): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.at <= a[i]!.at) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  /** Replace the contents with `items` (taken over, not copied), heapified in linear time. */
  reset(items: ExpiryItem[]): void {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): ExpiryItem | undefined {
    return this.items[0];
  }

  pop(): ExpiryItem | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const a = this.items;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l]!.at < a[m]!.at) m = l;
      if (r < a.length && a[r]!.at < a[m]!.at) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
  }
}

const PLAIN_DIGITS = /^\d{1,15}$/;

/** When an access token counts as expired: MSAL Python's `int(expires_on)`; unreadable never expires. */
function expiryOf(entry: Entry): number | undefined {
  const value = entry['expires_on'];
  // The usual spelling (a short string of digits) skips pyInt's general parse.
  if (typeof value === 'string' && PLAIN_DIGITS.test(value)) return Number(value);
  try {
    return pyInt(entry['expires_on'], 'expires_on');
  } catch {
    return undefined;
  }
}

/** One top-level section (`AccessToken`, …): entries by cache key in insertion order, plus indexes. */
class Section {
  readonly slots = new Map<string, Slot>();
  private readonly indexes: readonly FieldIndex[];
  readonly expiry: ExpiryHeap | undefined;
  private nextSeq = 0;

  constructor(readonly type: CredentialType) {
    this.indexes = INDEXED_FIELDS[type].map((fields) => new FieldIndex(fields));
    this.expiry = type === 'AccessToken' ? new ExpiryHeap() : undefined;
  }

  put(key: string, entry: Entry): void {
    const slot = this.slots.get(key);
    if (slot) {
      for (const index of this.indexes) index.remove(key, slot.entry);
      slot.entry = entry; // same key keeps its position, as a Python dict does
    } else {
      this.slots.set(key, { entry, seq: this.nextSeq++ });
    }
    for (const index of this.indexes) index.add(key, entry);
    if (this.expiry) {
      const at = expiryOf(entry);
      if (at !== undefined) this.expiry.push({ at, key, entry });
      if (this.expiry.size > 2 * this.slots.size + 1024) this.rebuildExpiry();
    }
  }

  /**
   * Add an entry under a key this section does not hold yet, while loading.
   *
   * Skips `put`'s replace logic and the expiry heap; call `finishLoad` once after the last one.
   */
  append(key: string, entry: Entry): void {
    this.slots.set(key, { entry, seq: this.nextSeq++ });
    for (const index of this.indexes) index.add(key, entry);
  }

  /** Build the expiry heap for entries added by `append`. */
  finishLoad(): void {
    this.rebuildExpiry();
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    for (const index of this.indexes) index.remove(key, slot.entry);
    this.slots.delete(key);
    return true;
  }

  /** The key under which this exact entry object is stored, if it is. */
  storedKeyOf(entry: object): string | undefined {
    // A stored entry is frozen, so it still sits in the bucket its own fields name; a WeakMap
    // from entry to key would cost an ephemeron per entry on every load.
    if (!Object.isFrozen(entry)) return undefined;
    const index = this.indexes[0];
    if (!index) return undefined;
    for (const key of index.keysLike(entry as Entry)) {
      if (this.slots.get(key)?.entry === entry) return key;
    }
    return undefined;
  }

  /** Slots that may match `query`, in insertion order. */
  candidates(query: Readonly<Record<string, unknown>>): Iterable<[string, Slot]> {
    for (const index of this.indexes) {
      const keys = index.lookup(query);
      if (keys === undefined) continue;
      const found: [string, Slot][] = [];
      for (const key of keys) {
        const slot = this.slots.get(key);
        if (slot) found.push([key, slot]);
      }
      return found.sort((a, b) => a[1].seq - b[1].seq);
    }
    return this.slots.entries();
  }

  private rebuildExpiry(): void {
    if (!this.expiry) return;
    const items: ExpiryItem[] = [];
    for (const [key, { entry }] of this.slots) {
      const at = expiryOf(entry);
      if (at !== undefined) items.push({ at, key, entry });
    }
    this.expiry.reset(items);
  }
}

function matches(entry: Entry, query: Readonly<Record<string, unknown>>, target: readonly string[]): boolean {
  // Python's `dict(entry, **query) == entry`: every query key present with an equal value.
  for (const [k, v] of Object.entries(query)) {
    if (!hasOwn(entry, k) || entry[k] !== v) return false;
  }
  if (target.length === 0) return true;
  const scopes = entryTargetScopes(entry);
  return target.every((s) => scopes.has(s));
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * An in-memory token cache in MSAL's unified schema.
 *
 * A port of MSAL Python's `TokenCache`: `add` turns a token response into AccessToken, Account,
 * IdToken, RefreshToken and AppMetadata entries; `search` finds them; `modify` and the `remove*`
 * / `updateRt` helpers change them. Entries handed out are frozen; change them through `modify`.
 * Synchronous and single-threaded.
 */
export class TokenCache {
  /** The section names, as MSAL Python's `TokenCache.CredentialType`. */
  static readonly CredentialType = {
    ACCESS_TOKEN: 'AccessToken',
    REFRESH_TOKEN: 'RefreshToken',
    ID_TOKEN: 'IdToken',
    ACCOUNT: 'Account',
    APP_METADATA: 'AppMetadata',
  } as const;

  /** The account authority types MSAL Python writes. */
  static readonly AuthorityType = { ADFS: 'ADFS', MSSTS: 'MSSTS' } as const;

  // Top-level JSON keys in insertion order: a Section for the five known ones, raw JSON otherwise.
  private top = new Map<string, unknown>();

  /** Hook called after every change; the serializable cache sets its dirty flag here. */
  protected markChanged(): void {}

  /**
   * The cache key of an entry, exactly as MSAL Python's key makers build it.
   *
   * Missing or empty fields become empty parts; all keys but AppMetadata's are lowercased.
   */
  keyOf(type: CredentialType, entry: object): string {
    const e = entry as Readonly<Record<string, unknown>>;
    const part = (field: string): string => {
      const v = e[field];
      if (!truthy(v)) return '';
      const s = pyStr(v);
      if (s === undefined) throw new InvalidArgumentError(`The cache entry field "${field}" must be a string.`);
      return s;
    };
    switch (type) {
      case 'RefreshToken':
        // The realm slot stays empty: refresh tokens are cross-tenant.
        return [part('home_account_id'), part('environment'), 'RefreshToken', part('client_id'), '', part('target')]
          .join('-')
          .toLowerCase();
      case 'AccessToken':
        return [part('home_account_id'), part('environment'), 'AccessToken', part('client_id'), part('realm'), part('target')]
          .join('-')
          .toLowerCase();
      case 'IdToken':
        return [part('home_account_id'), part('environment'), 'IdToken', part('client_id'), part('realm'), '']
          .join('-')
          .toLowerCase();
      case 'Account':
        return [part('home_account_id'), part('environment'), part('realm')].join('-').toLowerCase();
      case 'AppMetadata':
        return `appmetadata-${part('environment')}-${part('client_id')}`;
      default:
        throw new InvalidArgumentError(`Unknown credential type "${String(type)}".`);
    }
  }

  /**
   * Record a token-obtaining event, as MSAL Python's `TokenCache.add`.
   *
   * Writes, in this order: the access token, the account (unless `skip_account_creation`), the
   * ID token, the refresh token and the app metadata. Everything is validated before the first
   * write, so a bad event throws (`InvalidArgumentError` or `AuthorityError`) and changes nothing.
   * The event is not modified. `now` is epoch seconds.
   */
  add(event: TokenEvent, now?: number): void {
    const writes = this.planAdd(event, now);
    for (const [type, entry] of writes) this.modify(type, entry, entry);
    this.markChanged(); // even an event that writes nothing counts, as in MSAL Python
  }

  private planAdd(event: TokenEvent, nowArg: number | undefined): [CredentialType, Entry][] {
    if (!isRecord(event)) throw new InvalidArgumentError('A token event must be an object.');
    const ev = event as unknown as Readonly<Record<string, unknown>>;
    const now = epochSeconds(nowArg);

    let environment: unknown = null;
    let realm: string | null = null;
    if (present(ev, 'token_endpoint')) {
      const { host, tenant } = canonicalize(ev['token_endpoint']);
      environment = host;
      realm = tenant;
    }
    // Set by the client to the configured authority host, which wins over the endpoint's host.
    if (present(ev, 'environment')) environment = ev['environment'];

    const response = present(ev, 'response') ? ev['response'] : {};
    const data = present(ev, 'data') ? ev['data'] : {};
    if (!isRecord(response)) throw new InvalidArgumentError('The event response must be an object.');
    if (!isRecord(data)) throw new InvalidArgumentError('The event data must be an object.');

    const accessToken = response['access_token'];
    const refreshToken = response['refresh_token'];
    const idToken = response['id_token'];
    const givenClaims = truthy(ev['id_token_claims']) ? ev['id_token_claims'] : response['id_token_claims'];
    const claims: Record<string, unknown> = truthy(givenClaims) && isRecord(givenClaims)
      ? givenClaims
      : truthy(idToken) ? unverifiedJwtClaims(idToken) : {};

    // home_account_id: uid.utid from client_info, else the sub claim (ADFS, generic OIDC), else none.
    let homeAccountId: string | null = null;
    let hasAccount = false;
    const fromClientInfo = present(response, 'client_info') ? homeAccountIdFromClientInfo(response['client_info']) : undefined;
    if (fromClientInfo !== undefined) {
      homeAccountId = fromClientInfo;
      hasAccount = true;
    } else if (truthy(claims) && typeof claims['sub'] === 'string') {
      homeAccountId = claims['sub'];
      hasAccount = true;
    }

    // The granted scopes when the server says which; else the requested ones.
    let scopes: readonly string[];
    if (typeof response['scope'] === 'string') {
      scopes = pySplit(response['scope']);
    } else {
      const requested = ev['scope'];
      if (requested === undefined || requested === null) scopes = [];
      else if (Array.isArray(requested) && requested.every((s) => typeof s === 'string')) scopes = requested as string[];
      else throw new InvalidArgumentError('The event scope must be a list of strings.');
    }
    const target = sortScopes(scopes).join(' ');
    const clientId = present(ev, 'client_id') ? ev['client_id'] : null;
    const writes: [CredentialType, Entry][] = [];

    if (truthy(accessToken)) {
      const defaultExpiresIn = truthy(response['expires_on']) ? pyInt(response['expires_on'], 'expires_on') - now : 600;
      const expiresIn = present(response, 'expires_in') ? pyInt(response['expires_in'], 'expires_in') : defaultExpiresIn;
      const extExpiresIn = present(response, 'ext_expires_in')
        ? pyInt(response['ext_expires_in'], 'ext_expires_in')
        : expiresIn;
      const at: MutableEntry = {
        credential_type: 'AccessToken',
        secret: accessToken,
        home_account_id: homeAccountId,
        environment,
        client_id: clientId,
        target,
        realm,
        token_type: present(response, 'token_type') ? response['token_type'] : 'Bearer',
        cached_at: String(now),
        expires_on: String(now + expiresIn),
        extended_expires_on: String(now + extExpiresIn),
      };
      if (truthy(data['key_id'])) at['key_id'] = data['key_id']; // SSH-cert and PoP tokens
      if (present(response, 'refresh_in')) at['refresh_on'] = addSeconds(now, response['refresh_in'], 'refresh_in');
      writes.push(['AccessToken', at]);
    }

    if (hasAccount && !truthy(ev['skip_account_creation'])) {
      const preferred = present(claims, 'preferred_username') ? claims['preferred_username'] : claims['upn'];
      const username = [preferred, data['username'], ev['username']].find(truthy) ?? '';
      const account: MutableEntry = {
        home_account_id: homeAccountId,
        environment,
        realm,
        local_account_id: present(ev, '_account_id')
          ? ev['_account_id']
          : present(claims, 'oid') ? claims['oid'] : (claims['sub'] ?? null),
        username,
        authority_type: present(ev, 'authority_type')
          ? ev['authority_type']
          : realm === 'adfs' ? TokenCache.AuthorityType.ADFS : TokenCache.AuthorityType.MSSTS,
      };
      if (ACCOUNT_SOURCE_GRANTS.has(ev['grant_type'])) account['account_source'] = ev['grant_type'];
      writes.push(['Account', account]);
    }

    if (truthy(idToken)) {
      writes.push(['IdToken', {
        credential_type: 'IdToken',
        secret: idToken,
        home_account_id: homeAccountId,
        environment,
        realm,
        client_id: clientId,
      }]);
    }

    if (truthy(refreshToken)) {
      const rt: MutableEntry = {
        credential_type: 'RefreshToken',
        secret: refreshToken,
        home_account_id: homeAccountId,
        environment,
        client_id: clientId,
        target,
        last_modification_time: String(now),
      };
      if (present(response, 'foci')) rt['family_id'] = response['foci'];
      writes.push(['RefreshToken', rt]);
    }

    const appMetadata: MutableEntry = { client_id: clientId, environment };
    if (present(response, 'foci')) appMetadata['family_id'] = response['foci'];
    writes.push(['AppMetadata', appMetadata]);

    // Fail now, not halfway through the writes, if some key cannot be built.
    for (const [type, entry] of writes) this.keyOf(type, entry);
    return writes;
  }

  /**
   * Entries of one type that match `options`, in insertion order.
   *
   * A query field must be present in the entry with an equal value (`null` matches only a stored
   * `null`); every `target` scope must be in the entry's target, case-sensitively. For access
   * tokens, the one stored under the exact requested key comes first, and every expired access
   * token in the cache (`expires_on < now`) is deleted first, which counts as a change.
   */
  search(type: 'AccessToken', options?: SearchOptions): AccessTokenEntry[];
  search(type: 'RefreshToken', options?: SearchOptions): RefreshTokenEntry[];
  search(type: 'IdToken', options?: SearchOptions): IdTokenEntry[];
  search(type: 'Account', options?: SearchOptions): AccountEntry[];
  search(type: 'AppMetadata', options?: SearchOptions): AppMetadataEntry[];
  search<T extends CredentialType>(type: T, options?: SearchOptions): CacheEntryOf[T][];
  search(type: CredentialType, options: SearchOptions = {}): CacheEntry[] {
    if (!CREDENTIAL_TYPES.has(type)) throw new InvalidArgumentError(`Unknown credential type "${String(type)}".`);
    const section = this.section(type);
    if (!section) return [];
    if (section.expiry) this.purgeExpired(section, epochSeconds(options.now));

    const target = sortScopes(options.target ?? []);
    const query: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) query[k] = v;

    const results: Entry[] = [];
    let preferredKey: string | undefined;
    if (
      type === 'AccessToken' && target.length > 0 &&
      ['home_account_id', 'environment', 'client_id', 'realm'].every((f) => hasOwn(query, f))
    ) {
      // MSAL Python's O(1) path: the token cached for exactly these scopes comes first.
      preferredKey = this.keyOf('AccessToken', { ...query, target: target.join(' ') });
      const slot = section.slots.get(preferredKey);
      if (slot && matches(slot.entry, query, target)) results.push(slot.entry);
    }
    for (const [key, slot] of section.candidates(query)) {
      if (key !== preferredKey && matches(slot.entry, query, target)) results.push(slot.entry);
    }
    return results as CacheEntry[];
  }

  /**
   * Same as `search` (MSAL Python's older name).
   */
  find(type: 'AccessToken', options?: SearchOptions): AccessTokenEntry[];
  find(type: 'RefreshToken', options?: SearchOptions): RefreshTokenEntry[];
  find(type: 'IdToken', options?: SearchOptions): IdTokenEntry[];
  find(type: 'Account', options?: SearchOptions): AccountEntry[];
  find(type: 'AppMetadata', options?: SearchOptions): AppMetadataEntry[];
  find<T extends CredentialType>(type: T, options?: SearchOptions): CacheEntryOf[T][];
  find(type: CredentialType, options?: SearchOptions): CacheEntry[] {
    return this.search(type, options);
  }

  private purgeExpired(section: Section, now: number): void {
    const heap = section.expiry;
    if (!heap) return;
    for (let top = heap.peek(); top !== undefined && top.at < now; top = heap.peek()) {
      heap.pop();
      if (section.slots.get(top.key)?.entry !== top.entry) continue; // replaced or removed since
      // Deleted by its real key, so an expired token stored under a legacy key goes too.
      section.delete(top.key);
      this.markChanged();
    }
  }

  /**
   * Update or remove an entry, as MSAL Python's `TokenCache.modify`.
   *
   * The key is computed from `oldEntry`. With `newKeyValues` (having at least one defined value),
   * `{...oldEntry, ...newKeyValues}` is stored under that key; so an entry found under a legacy
   * key (another SDK's format) is copied to the correct key and the legacy one stays. Without,
   * the key is removed, and so is `oldEntry` itself if it is an entry this cache handed out under
   * a different key. Always counts as a change.
   */
  modify(type: CredentialType, oldEntry: object, newKeyValues?: object | null): void {
    if (!isRecord(oldEntry)) throw new InvalidArgumentError('A cache entry must be an object.');
    const key = this.keyOf(type, oldEntry);
    const section = this.ensureSection(type);
    if (newKeyValues && hasDefinedKeys(newKeyValues)) {
      section.put(key, mergeEntries(oldEntry, newKeyValues));
    } else {
      section.delete(key);
      const storedKey = section.storedKeyOf(oldEntry);
      if (storedKey !== undefined) section.delete(storedKey);
    }
    this.markChanged();
  }

  /** Remove a refresh token. */
  removeRt(rt: RefreshTokenEntry): void {
    assertCredentialType(rt, 'RefreshToken');
    this.modify('RefreshToken', rt);
  }

  /**
   * Replace a refresh token's secret in place (same key), stamping `last_modification_time`.
   */
  updateRt(rt: RefreshTokenEntry, newSecret: string, now?: number): void {
    assertCredentialType(rt, 'RefreshToken');
    this.modify('RefreshToken', rt, { secret: newSecret, last_modification_time: String(epochSeconds(now)) });
  }

  /** Remove an access token. */
  removeAt(at: AccessTokenEntry): void {
    assertCredentialType(at, 'AccessToken');
    this.modify('AccessToken', at);
  }

  /** Remove an ID token. */
  removeIdt(idt: IdTokenEntry): void {
    assertCredentialType(idt, 'IdToken');
    this.modify('IdToken', idt);
  }

  /** Remove an account entry (one realm of it). */
  removeAccount(account: AccountEntry): void {
    if (!isRecord(account) || !hasOwn(account, 'authority_type')) {
      throw new InvalidArgumentError('An account entry must have an authority_type.');
    }
    this.modify('Account', account);
  }

  private section(type: CredentialType): Section | undefined {
    const s = this.top.get(type);
    return s instanceof Section ? s : undefined;
  }

  private ensureSection(type: CredentialType): Section {
    // Like MSAL Python's setdefault: even a removal creates the (empty) section.
    let s = this.section(type);
    if (!s) this.top.set(type, (s = new Section(type)));
    return s;
  }

  /**
   * The cache as JSON-ready data: plain objects whose key order `orderedKeys` gives.
   *
   * Plain objects rather than Maps, so the writer can hand the common case to JSON.stringify.
   */
  protected toJsonData(): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const names: string[] = [];
    for (const [name, value] of this.top) {
      names.push(name);
      if (value instanceof Section) {
        // Null prototype: a "__proto__" cache key is then an ordinary property.
        const entries: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        const keys: string[] = [];
        for (const [key, slot] of value.slots) {
          keys.push(key);
          entries[key] = slot.entry;
        }
        recordKeyOrder(entries, keys);
        out[name] = entries;
      } else {
        out[name] = value;
      }
    }
    recordKeyOrder(out, names);
    return out;
  }

  /**
   * Replace the whole cache with parsed JSON data; throws `CacheFormatError` and changes nothing
   * if a known section is not an object of objects.
   */
  protected replaceWithJsonData(root: Readonly<Record<string, unknown>>): void {
    const top = new Map<string, unknown>();
    for (const name of orderedKeys(root)) {
      const value = root[name];
      if (!CREDENTIAL_TYPES.has(name)) {
        top.set(name, value); // unknown sections survive untouched
        continue;
      }
      if (!isRecord(value)) throw new CacheFormatError(`The cache section "${name}" is not a JSON object.`);
      const section = new Section(name as CredentialType);
      for (const key of orderedKeys(value)) {
        const entry = value[key];
        if (!isRecord(entry)) throw new CacheFormatError(`An entry in the cache section "${name}" is not a JSON object.`);
        section.append(key, Object.freeze(entry)); // keys of one parsed object are unique
      }
      section.finishLoad();
      top.set(name, section);
    }
    this.top = top;
  }
}

function assertCredentialType(entry: unknown, type: CredentialType): void {
  if (!isRecord(entry) || entry['credential_type'] !== type) {
    throw new InvalidArgumentError(`Expected a cache entry with credential_type "${type}".`);
  }
}

/**
 * A token cache that can be saved and loaded as MSAL Python's JSON.
 *
 * `serialize()` gives exactly the text of MSAL Python's `json.dumps(cache, indent=4)`;
 * `deserialize()` replaces the contents and keeps unknown sections and fields. `hasStateChanged`
 * says whether anything changed since the last serialize or deserialize, so callers can skip
 * writing an unchanged cache.
 */
export class SerializableTokenCache extends TokenCache {
  /** True after any add, modify or removal (including the expired-token purge of a search). */
  hasStateChanged = false;

  protected override markChanged(): void {
    this.hasStateChanged = true;
  }

  /** The cache as MSAL Python's JSON text. Resets `hasStateChanged`. */
  serialize(): string {
    const text = dumpsPythonJson(this.toJsonData(), 4);
    this.hasStateChanged = false;
    return text;
  }

  /**
   * Replace the contents with a serialized cache; empty, null or undefined text empties it.
   *
   * Throws `CacheFormatError` for text that is not a JSON object (or whose known sections are
   * not objects of objects) and then leaves the current contents as they were. Resets
   * `hasStateChanged` on success.
   */
  deserialize(text: string | null | undefined): void {
    let root: unknown = {};
    if (text) {
      if (typeof text !== 'string') throw new CacheFormatError('A serialized cache must be a string.');
      try {
        root = parsePythonJson(text);
      } catch (cause) {
        throw new CacheFormatError('The token cache is not valid JSON; it was left unchanged.', { cause });
      }
    }
    if (!isRecord(root)) throw new CacheFormatError('The token cache must be a JSON object; it was left unchanged.');
    this.replaceWithJsonData(root);
    this.hasStateChanged = false;
  }
}
