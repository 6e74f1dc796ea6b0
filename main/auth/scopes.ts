/**
 * Scope handling as MSAL does it: reserved OIDC scopes are added by the library, never by callers.
 */
import { InvalidArgumentError } from './errors';

/** The scopes MSAL adds to every user sign-in request. Callers may not pass them. */
export const RESERVED_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'offline_access']);

/**
 * Sort scopes the way MSAL puts them on the wire and in cache `target`s.
 *
 * Python's `sorted`: by code point, so `User.Read` sorts before `offline_access`. (Code-unit order
 * differs only above U+D7FF, but a cache key must match MSAL Python's to the byte.)
 */
export function sortScopes(scopes: Iterable<string>): string[] {
  return [...scopes].sort((a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a.codePointAt(i) ?? 0;
      const y = b.codePointAt(i) ?? 0;
      if (x !== y) return x - y;
      if (x > 0xffff) i++;
    }
    return a.length - b.length;
  });
}

/** Join scopes for the wire: sorted, space separated. */
export function scopeParam(scopes: Iterable<string>): string {
  return sortScopes(scopes).join(' ');
}

/**
 * Check that `scopes` is a list of strings.
 *
 * Throws `InvalidArgumentError` otherwise; MSAL Python accepts list, tuple or set.
 */
export function assertScopeList(scopes: unknown, name = 'scopes'): asserts scopes is readonly string[] {
  const list = scopes instanceof Set ? [...scopes] : scopes;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw new InvalidArgumentError(`The input ${name} should be a list of strings.`);
  }
}

/**
 * Add the reserved scopes to a caller's scopes and remove the excluded ones.
 *
 * Throws `InvalidArgumentError` (code `reserved_scope`) when the caller passed a reserved scope,
 * as MSAL Python's `_decorate_scope` does.
 */
export function decorateScopes(scopes: readonly string[] | ReadonlySet<string>, excludeScopes: readonly string[] = []): string[] {
  assertScopeList(scopes);
  const given = new Set(scopes);
  const reservedGiven = [...given].filter((s) => RESERVED_SCOPES.has(s));
  if (reservedGiven.length > 0) {
    throw new InvalidArgumentError(
      `You cannot use any scope value that is reserved. Your input: ${JSON.stringify(sortScopes(given))}. ` +
        `The reserved list: ${JSON.stringify(sortScopes(RESERVED_SCOPES))}. Remove them; the library adds them.`,
      'reserved_scope',
    );
  }
  const excluded = new Set(excludeScopes);
  return sortScopes([...given, ...RESERVED_SCOPES].filter((s) => !excluded.has(s)));
}

/**
 * Validate the `excludeScopes` constructor option.
 *
 * MSAL refuses a non-list and refuses to opt out of `openid`.
 */
export function validateExcludeScopes(excludeScopes: unknown): string[] {
  if (excludeScopes === undefined || excludeScopes === null) return [];
  if (!Array.isArray(excludeScopes) || !excludeScopes.every((s) => typeof s === 'string')) {
    throw new InvalidArgumentError(`Invalid excludeScopes: it needs to be a list of strings.`);
  }
  if (excludeScopes.includes('openid')) {
    throw new InvalidArgumentError(`Invalid excludeScopes: you cannot opt out of the "openid" scope.`);
  }
  return [...excludeScopes];
}
