/**
 * Pads a serialized token cache with synthetic accounts cloned from a real one.
 *
 * Both libraries write the same snake_case sections (`Account`, `IdToken`, `AccessToken`,
 * `RefreshToken`) but different key formats (ours: MSAL Python's, msal-node: msal-common's). So
 * the padding never builds keys itself: it takes the real account's entries from the library's own
 * serialized output as templates and swaps the identity in entry and key. Every synthetic account
 * therefore has exactly the shape, key format and token sizes that library writes for a real
 * sign-in, for the same client, authority and scopes as the real account.
 */

/** The real account the templates belong to. */
export interface TemplateAccount {
  /** `home_account_id` as the library stored it. */
  readonly homeAccountId: string;
  /** The username (`preferred_username`) as stored. */
  readonly username: string;
}

type Entry = Record<string, unknown>;
type CacheJson = Record<string, Record<string, Entry>>;

/** Sections cloned per account; `AppMetadata` and anything else is per app and stays as it is. */
const PER_ACCOUNT_SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken'] as const;

/** The identity of synthetic account `index` (1-based). */
export function syntheticIdentity(index: number): TemplateAccount {
  const tag = String(index).padStart(6, '0');
  return { homeAccountId: `bench-sub-${tag}`, username: `bench-user-${tag}@contoso.com` };
}

function replaceAll(text: string, from: string, to: string): string {
  return text.split(from).join(to);
}

/** A filler secret of exactly `length` characters, so serialized sizes match real tokens. */
function fillerSecret(kind: string, index: number, length: number): string {
  const head = `synthetic-${kind}-${index}.`;
  return head.length >= length ? head : head + 'x'.repeat(length - head.length);
}

/**
 * A structurally valid JWT (header.payload.signature) for the synthetic account.
 *
 * msal-node decodes id tokens while listing accounts, so they must parse; nobody verifies the
 * signature of a cached id token, so the signature part is filler of the real one's length.
 */
function syntheticIdToken(realIdToken: string, real: TemplateAccount, fake: TemplateAccount, index: number): string {
  const [header, payload, signature] = realIdToken.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return fillerSecret('idt', index, realIdToken.length);
  let claims = Buffer.from(payload, 'base64url').toString('utf8');
  claims = replaceAll(replaceAll(claims, real.homeAccountId, fake.homeAccountId), real.username, fake.username);
  return `${header}.${Buffer.from(claims, 'utf8').toString('base64url')}.${'x'.repeat(signature.length)}`;
}

function cloneEntry(section: string, entry: Entry, real: TemplateAccount, fake: TemplateAccount, index: number): Entry {
  // The identity also hides in nested JSON strings (msal-node's `tenantProfiles`), so swap it in
  // the serialized entry; secrets are base64url and cannot contain it by accident.
  let text = JSON.stringify({ ...entry, secret: '' });
  text = replaceAll(replaceAll(text, real.homeAccountId, fake.homeAccountId), real.username, fake.username);
  const clone = JSON.parse(text) as Entry;
  // Blanked above and refilled here so the field keeps its place in the entry.
  const secret = entry['secret'];
  if (typeof secret === 'string') {
    clone['secret'] = section === 'IdToken'
      ? syntheticIdToken(secret, real, fake, index)
      : fillerSecret(section === 'AccessToken' ? 'at' : 'rt', index, secret.length);
  }
  return clone;
}

function cloneKey(key: string, real: TemplateAccount, fake: TemplateAccount): string {
  // Both key formats start with the lowercased home account id (spec §2.2 and §4.1).
  const prefix = real.homeAccountId.toLowerCase();
  if (!key.startsWith(prefix)) throw new Error(`cache key does not start with the home account id: ${key.slice(0, 40)}…`);
  return fake.homeAccountId.toLowerCase() + key.slice(prefix.length);
}

/**
 * Returns `realCacheJson` with `extra` synthetic accounts added in front of the real one.
 *
 * Each synthetic account gets a copy of every Account, IdToken, AccessToken and RefreshToken
 * entry of the real account. The real entries come last in every section, so a lookup that scans
 * and stops at the first match still has to pass every synthetic entry.
 */
export function padCache(realCacheJson: string, real: TemplateAccount, extra: number): string {
  const cache = JSON.parse(realCacheJson) as CacheJson;
  const padded: CacheJson = { ...cache };
  for (const section of PER_ACCOUNT_SECTIONS) {
    const entries = cache[section] ?? {};
    const templates = Object.entries(entries).filter(([, entry]) => entry['home_account_id'] === real.homeAccountId);
    if (templates.length === 0) throw new Error(`no ${section} entry of the real account to clone`);
    const out: Record<string, Entry> = {};
    for (let index = 1; index <= extra; index++) {
      const fake = syntheticIdentity(index);
      for (const [key, entry] of templates) out[cloneKey(key, real, fake)] = cloneEntry(section, entry, real, fake, index);
    }
    padded[section] = Object.assign(out, entries);
  }
  return JSON.stringify(padded);
}

/** Number of entries per section of a serialized cache (for the report and sanity checks). */
export function sectionSizes(cacheJson: string): Record<string, number> {
  const cache = JSON.parse(cacheJson) as CacheJson;
  return Object.fromEntries(Object.entries(cache).map(([section, entries]) => [section, Object.keys(entries ?? {}).length]));
}

/**
 * Returns `cacheJson` with every access token expired a minute before `nowSeconds`.
 *
 * Timestamps stay strings of epoch seconds, as both libraries write them; `refresh_on` goes so
 * that only expiry decides.
 */
export function expireAccessTokens(cacheJson: string, nowSeconds: number): string {
  const cache = JSON.parse(cacheJson) as CacheJson;
  const past = String(nowSeconds - 60);
  for (const entry of Object.values(cache['AccessToken'] ?? {})) {
    entry['expires_on'] = past;
    entry['extended_expires_on'] = past;
    delete entry['refresh_on'];
  }
  return JSON.stringify(cache);
}
