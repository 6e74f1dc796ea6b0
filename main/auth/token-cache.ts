/**
 * The token cache: MSAL Python's `TokenCache` and `SerializableTokenCache`, ported.
 *
 * Entries, keys and the serialized JSON follow MSAL's unified schema exactly as MSAL Python writes
 * it, so a cache file can be shared with MSAL Python in both directions. Unlike MSAL Python, lookups
 * go through in-memory indexes (./cache-indexes.ts), so a search costs the same with ten thousand
 * accounts as with one. Python's semantics that the port needs live in ./python-compat.ts.
 * A little over 500 lines: the two public classes and the `add` algorithm, which reads best whole.
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
import { CacheFormatError, InvalidArgumentError } from './errors';
import { decodeJwtPayload, homeAccountIdFromClientInfo } from './encoding';
import { Section, matches } from './cache-indexes';
import { dumpsPythonJson, orderedKeys, parsePythonJson, recordKeyOrder } from './json-python';
import {
  addSeconds,
  canonicalize,
  epochSeconds,
  hasDefinedKeys,
  hasOwn,
  isRecord,
  mergeEntries,
  present,
  pyInt,
  pySplit,
  pyStr,
  truthy,
  type Entry,
  type MutableEntry,
} from './python-compat';

const CREDENTIAL_TYPES: ReadonlySet<string> = new Set<CredentialType>([
  'AccessToken',
  'RefreshToken',
  'IdToken',
  'Account',
  'AppMetadata',
]);

// Grants after which MSAL Python records `account_source` (token_cache.py, MSAL Python 1.31).
const ACCOUNT_SOURCE_GRANTS: ReadonlySet<unknown> = new Set([
  'broker',
  'authorization_code',
  'password',
  'urn:ietf:params:oauth:grant-type:device_code',
]);

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
  #revision = 0;

  /** Hook called after every change; the serializable cache sets its dirty flag here. */
  protected markChanged(): void {}

  /**
   * A number that changes whenever the entries may have changed: every add, modify, removal,
   * purge of an expired access token and load. Equal revisions mean equal contents, so a caller
   * may keep what it derived from a search (the client's cache-hit memo does) until it changes.
   */
  get revision(): number {
    return this.#revision;
  }

  /**
   * Until when (epoch seconds, inclusive) a search is sure to purge nothing: the earliest
   * `expires_on` among the stored access tokens, `Infinity` when there are none. Conservative:
   * it may name a token that was already replaced.
   */
  accessTokenPurgeHorizon(): number {
    return this.section('AccessToken')?.expiry?.peek()?.at ?? Number.POSITIVE_INFINITY;
  }

  private changed(): void {
    this.#revision++;
    this.markChanged();
  }

  /**
   * The cache key of an entry, exactly as MSAL Python's key makers build it.
   *
   * Missing or empty fields become empty parts; all keys but AppMetadata's are lowercased.
   */
  keyOf(type: CredentialType, entry: object): string {
    const e = entry as Readonly<Record<string, unknown>>;
    switch (type) {
      case 'RefreshToken':
        // The realm slot stays empty: refresh tokens are cross-tenant.
        return [keyPart(e, 'home_account_id'), keyPart(e, 'environment'), 'RefreshToken', keyPart(e, 'client_id'), '', keyPart(e, 'target')]
          .join('-')
          .toLowerCase();
      case 'AccessToken':
        return [keyPart(e, 'home_account_id'), keyPart(e, 'environment'), 'AccessToken', keyPart(e, 'client_id'), keyPart(e, 'realm'), keyPart(e, 'target')]
          .join('-')
          .toLowerCase();
      case 'IdToken':
        return [keyPart(e, 'home_account_id'), keyPart(e, 'environment'), 'IdToken', keyPart(e, 'client_id'), keyPart(e, 'realm'), '']
          .join('-')
          .toLowerCase();
      case 'Account':
        return [keyPart(e, 'home_account_id'), keyPart(e, 'environment'), keyPart(e, 'realm')].join('-').toLowerCase();
      case 'AppMetadata':
        return `appmetadata-${keyPart(e, 'environment')}-${keyPart(e, 'client_id')}`;
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
    this.changed(); // even an event that writes nothing counts, as in MSAL Python
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
      : truthy(idToken) ? decodeJwtPayload(idToken) : {};

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
      this.changed();
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
    this.changed();
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
    this.#revision++; // a load is not a change to save (no markChanged), but the entries are new
  }
}

/** One part of a cache key: the field as Python's `str`, empty when falsy. */
function keyPart(e: Readonly<Record<string, unknown>>, field: string): string {
  const v = e[field];
  if (!truthy(v)) return '';
  const s = pyStr(v);
  if (s === undefined) throw new InvalidArgumentError(`The cache entry field "${field}" must be a string.`);
  return s;
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
