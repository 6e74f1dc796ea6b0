/**
 * Types of the MSAL unified token-cache schema, as MSAL Python serializes it.
 *
 * Field names are the snake_case JSON names; timestamps are strings of epoch seconds. Every entry
 * may carry fields written by other MSAL libraries; they are kept as they are.
 */

/** The five sections of the cache, which are also its top-level JSON keys. */
export type CredentialType = 'AccessToken' | 'RefreshToken' | 'IdToken' | 'Account' | 'AppMetadata';

/**
 * A cached access token.
 *
 * `target` is the space-separated scope list; `realm` is the tenant segment of the token endpoint.
 */
export interface AccessTokenEntry {
  readonly credential_type: 'AccessToken';
  readonly secret: string;
  readonly home_account_id: string | null;
  readonly environment: string | null;
  readonly client_id: string | null;
  readonly target: string;
  readonly realm: string | null;
  readonly token_type: string;
  readonly cached_at: string;
  readonly expires_on: string;
  readonly extended_expires_on: string;
  readonly refresh_on?: string;
  readonly key_id?: string;
  readonly [field: string]: unknown;
}

/**
 * A cached refresh token.
 *
 * Refresh tokens are cross-tenant, so they carry no realm. `family_id` marks a FOCI token.
 */
export interface RefreshTokenEntry {
  readonly credential_type: 'RefreshToken';
  readonly secret: string;
  readonly home_account_id: string | null;
  readonly environment: string | null;
  readonly client_id: string | null;
  readonly target?: string;
  readonly last_modification_time?: string;
  readonly family_id?: string | null;
  readonly [field: string]: unknown;
}

/** A cached ID token (the raw JWT in `secret`). */
export interface IdTokenEntry {
  readonly credential_type: 'IdToken';
  readonly secret: string;
  readonly home_account_id: string | null;
  readonly environment: string | null;
  readonly realm: string | null;
  readonly client_id: string | null;
  readonly [field: string]: unknown;
}

/**
 * A signed-in account in one realm.
 *
 * `authority_type` is `"MSSTS"` or `"ADFS"` (or whatever the caller asked for); `account_source`
 * names the grant that created it.
 */
export interface AccountEntry {
  readonly home_account_id: string | null;
  readonly environment: string | null;
  readonly realm: string | null;
  readonly local_account_id: string | null;
  readonly username: string;
  readonly authority_type: string;
  readonly account_source?: string;
  readonly [field: string]: unknown;
}

/** What the cache knows about an app: mainly whether it belongs to a token family (FOCI). */
export interface AppMetadataEntry {
  readonly client_id: string | null;
  readonly environment: string | null;
  readonly family_id?: string | null;
  readonly [field: string]: unknown;
}

/** Any cache entry. */
export type CacheEntry = AccessTokenEntry | RefreshTokenEntry | IdTokenEntry | AccountEntry | AppMetadataEntry;

/** The entry type stored in each section. */
export interface CacheEntryOf {
  readonly AccessToken: AccessTokenEntry;
  readonly RefreshToken: RefreshTokenEntry;
  readonly IdToken: IdTokenEntry;
  readonly Account: AccountEntry;
  readonly AppMetadata: AppMetadataEntry;
}

/**
 * A token-obtaining event, as the client hands it to `TokenCache.add`.
 *
 * Snake_case like MSAL Python's event dict. `response` is the token endpoint's JSON.
 */
export interface TokenEvent {
  readonly client_id: string;
  readonly scope?: readonly string[];
  readonly token_endpoint: string;
  readonly grant_type?: string;
  readonly response: Readonly<Record<string, unknown>>;
  /** The configured authority host; overrides the token endpoint's host. */
  readonly environment?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly data?: Readonly<Record<string, unknown>>;
  /** Already-verified ID token claims. When absent the id_token payload is decoded leniently. */
  readonly id_token_claims?: Readonly<Record<string, unknown>>;
  readonly skip_account_creation?: boolean;
  readonly username?: string;
  readonly authority_type?: string;
  readonly _account_id?: string;
}

/**
 * How to filter a search.
 *
 * `target`: scopes that must all be in the entry's target (case-sensitive). `query`: fields that
 * must equal exactly; `null` matches only a stored `null`, `undefined` means "no condition".
 * `now` (epoch seconds) decides which access tokens have expired.
 */
export interface SearchOptions {
  readonly target?: readonly string[];
  readonly query?: Readonly<Record<string, string | null | undefined>>;
  readonly now?: number;
}
