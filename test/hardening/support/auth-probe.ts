/**
 * Drives the auth core against the hostile provider for the hardening rows: one sign-in (or one
 * refresh) per hostile input, counted tried / refused / crashed / lost / leaked.
 *
 * A case is refused when the auth core throws a typed error or answers with an OAuth error value;
 * crashed when it throws anything untyped; leaked when a secret the provider sent (canary tokens)
 * or the request sent (refresh token, code) shows up in the error, its message, or — for a refused
 * sign-in — the token cache; lost when a refusal removed the account's refresh token.
 */
import { randomUUID } from 'node:crypto';
import { createDefaultHttpClient, PublicClientApplication, SerializableTokenCache, type ClosableHttpClient, type TokenResult } from '../../../main/auth';
import { hashNonce } from '../../../main/auth/pkce';
import type { HostileProvider, ScriptedAnswer } from '../../support/hostile-provider';
import { typedCodeOf, type CaseRecorder } from '../harness';

/** The client id the probes sign in as. */
export const CLIENT_ID = 'tessera-hardening';
const SCOPES = ['api://hostile/read'];

/** What one probe saw. */
export interface ProbeOutcome {
  /** The typed code of the refusal (a thrown error's `code`, or an OAuth error value's `error`). */
  readonly code: string | undefined;
  /** Secrets found where they must not be. */
  readonly leaks: number;
}

/** Canary token values, unique per probe, so a leak is found by value. */
export function canaries(): { accessToken: string; refreshToken: string } {
  return { accessToken: `at-canary-${randomUUID()}`, refreshToken: `rt-canary-${randomUUID()}` };
}

/** A token answer with canary tokens and `idToken`. */
export function tokenAnswer(secrets: { accessToken: string; refreshToken: string }, idToken: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    token_type: 'Bearer',
    expires_in: 3600,
    scope: `${SCOPES.join(' ')} openid profile offline_access`,
    access_token: secrets.accessToken,
    refresh_token: secrets.refreshToken,
    ...(idToken === undefined ? {} : { id_token: idToken }),
    ...extra,
  };
}

function countIn(text: string, secrets: readonly string[]): number {
  return secrets.filter((secret) => secret !== '' && text.includes(secret)).length;
}

/** A shared transport for one file (one TLS connection pool), closed by `close()`. */
export class AuthProbe {
  readonly #op: HostileProvider;
  readonly #http: ClosableHttpClient;

  constructor(op: HostileProvider, options: { timeoutMs?: number; maxResponseBytes?: number } = {}) {
    this.#op = op;
    this.#http = createDefaultHttpClient({ verify: op.caPath, timeout: options.timeoutMs ?? 5_000, ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}) });
  }

  /**
   * A fresh app (own throttling cache) on a fresh token cache, for `issuer` (default `{origin}/op`).
   *
   * The auth core shares fetched discovery documents per transport for a while, so a case that
   * changes the discovery document uses an issuer name of its own.
   */
  app(cache = new SerializableTokenCache(), issuer = this.#op.issuer): PublicClientApplication {
    return new PublicClientApplication(CLIENT_ID, { oidcAuthority: issuer, httpClient: this.#http, tokenCache: cache });
  }

  /**
   * One sign-in whose token answer is `answer(nonce)` and whose redirect carries `redirect` over
   * `{ code, state, iss }`; counts it on `t` as one must-refuse input. `secrets` (or a function
   * returning them once the answer was built) are searched for in what comes back.
   */
  async signIn(
    t: CaseRecorder,
    answer: ((nonce: string) => Promise<ScriptedAnswer> | ScriptedAnswer) | undefined,
    secrets: readonly string[] | (() => readonly string[]),
    redirect: Record<string, string | undefined> = {},
  ): Promise<ProbeOutcome> {
    const cache = new SerializableTokenCache();
    const app = this.app(cache);
    t.tried();
    let result: TokenResult | undefined;
    let thrown: unknown;
    let code = 'c0de-canary-value';
    try {
      const flow = await app.initiateAuthCodeFlow(SCOPES, { redirectUri: 'http://127.0.0.1:9/' });
      if (answer) this.#op.queue('token', await answer(hashNonce(flow.nonce)));
      code = redirect['code'] ?? code;
      const response: Record<string, string> = {};
      for (const [key, value] of Object.entries({ code, state: flow.state, iss: this.#op.issuer, ...redirect })) {
        if (value !== undefined) response[key] = value;
      }
      result = await app.acquireTokenByAuthCodeFlow(flow, response);
    } catch (error) {
      thrown = error;
    }
    const known = typeof secrets === 'function' ? secrets() : secrets;
    return this.#judge(t, result, thrown, [...known, code], cache.serialize());
  }

  /** Signs in with a good answer, then refreshes with `answer(nonce)`; counts the refresh. */
  async refresh(t: CaseRecorder, answer: () => Promise<ScriptedAnswer> | ScriptedAnswer, secrets: readonly string[]): Promise<ProbeOutcome & { rtKept: boolean }> {
    const cache = new SerializableTokenCache();
    const app = this.app(cache);
    const first = canaries();
    const flow = await app.initiateAuthCodeFlow(SCOPES, { redirectUri: 'http://127.0.0.1:9/' });
    this.#op.queue('token', { body: tokenAnswer(first, await this.#op.idToken(CLIENT_ID, { nonce: hashNonce(flow.nonce) })) });
    const signedIn = await app.acquireTokenByAuthCodeFlow(flow, { code: 'c', state: flow.state, iss: this.#op.issuer });
    if (signedIn.error) throw new Error(`the good sign-in failed: ${signedIn.error}`);
    const [account] = await app.getAccounts();
    if (!account) throw new Error('the good sign-in made no account');
    const before = cache.serialize();
    this.#op.queue('token', await answer());
    t.tried();
    let result: TokenResult | null | undefined;
    let thrown: unknown;
    try {
      result = await app.acquireTokenSilentWithError(SCOPES, account, { forceRefresh: true });
    } catch (error) {
      thrown = error;
    }
    const after = cache.serialize();
    const outcome = this.#judge(t, result ?? undefined, thrown, [...secrets, first.refreshToken], undefined);
    // A refused refresh must leave the account's refresh token where it was.
    const rtKept = after.includes(first.refreshToken);
    if (!rtKept) t.lost();
    const unchanged = before === after;
    return { ...outcome, rtKept: rtKept && unchanged };
  }

  #judge(t: CaseRecorder, result: TokenResult | undefined, thrown: unknown, secrets: readonly string[], cacheText: string | undefined): ProbeOutcome {
    let code: string | undefined;
    let leaks = 0;
    if (thrown !== undefined) {
      code = typedCodeOf(thrown);
      if (code === undefined) t.crashed();
      else t.refused();
      const error = thrown as Error;
      leaks += countIn(`${error.message ?? ''} ${safeJson(thrown)}`, secrets);
    } else if (result && typeof result.error === 'string') {
      code = result.error;
      t.refusedWith(code);
      leaks += countIn(safeJson(result), secrets);
    }
    // A refused sign-in writes nothing: any token of it in the cache is a leak (an orphan).
    if (code !== undefined && cacheText !== undefined) leaks += countIn(cacheText, secrets);
    if (leaks > 0) t.leaked(leaks);
    return { code, leaks };
  }

  /** Releases the connection pool. */
  close(): Promise<void> {
    return this.#http.close();
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { message: v.message, code: (v as { code?: unknown }).code } : v)) ?? '';
  } catch {
    return String(value);
  }
}
