/**
 * `PublicClientApplication`: desktop and command-line sign-in (interactive and device code).
 */
import { randomUUID } from 'node:crypto';
import { ClientApplication } from './application';
import { toInt } from './token-answer';
import { InvalidArgumentError } from './errors';
import { LoopbackBroker } from './loopback-broker';
import { isOAuthError, toErrorValue } from './oauth-error';
import { parseJsonResponse } from './response';
import { scopeParam } from './scopes';
import type {
  AcquireTokenInteractiveOptions,
  AuthorizationBroker,
  ClientApplicationOptions,
  DeviceFlow,
  TokenError,
  TokenResult,
} from './types';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Options of `initiateDeviceFlow`. */
export interface InitiateDeviceFlowOptions {
  readonly claimsChallenge?: string;
  /**
   * More fields for the device authorization request (RFC 8628 §3.1), for providers that take
   * them there, such as Auth0's `audience`; MSAL Python passes its extra arguments on the same way.
   * A field the request sets itself (`client_id`, `scope`, and `claims` when there is a claims
   * challenge or client capabilities) cannot be replaced: naming one throws `InvalidArgumentError`
   * before any request is sent.
   */
  readonly extraParameters?: Readonly<Record<string, string>>;
}

/** Options of `acquireTokenByDeviceFlow`. */
export interface DeviceFlowPollOptions {
  /** Stop polling when this returns true. Default: the flow has expired. */
  readonly exitCondition?: (flow: DeviceFlow) => boolean;
  readonly claimsChallenge?: string;
  readonly signal?: AbortSignal;
  /** How to wait between polls (tests may shorten it); default setTimeout. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/**
 * A client that cannot keep a secret: it signs users in and keeps their tokens.
 */
export class PublicClientApplication extends ClientApplication {
  constructor(clientId: string, options: ClientApplicationOptions = {}) {
    if (options.clientCredential !== undefined) {
      throw new InvalidArgumentError('A public client should not possess credentials. Use ConfidentialClientApplication.');
    }
    super(clientId, options);
  }

  /**
   * Sign in through a broker (an embedded window, the system browser) and redeem the code.
   *
   * With `openBrowser` instead of a broker, a {@link LoopbackBroker} on 127.0.0.1 receives the
   * redirect. The authority is discovered (and its endpoints checked) before any broker opens, and
   * a broker that reserves its redirect URI is told how this authority spells a loopback one. A
   * closed window or an elapsed `timeout` rejects with `InteractionError`.
   */
  async acquireTokenInteractive(scopes: readonly string[], options: AcquireTokenInteractiveOptions): Promise<TokenResult> {
    return acquireTokenInteractiveWith(this, scopes, options);
  }

  /**
   * Start a device authorization flow (RFC 8628). Show `flow.message` (or the URI and code) to
   * the user, then call `acquireTokenByDeviceFlow`.
   *
   * A server error is returned as a value.
   */
  async initiateDeviceFlow(scopes: readonly string[] = [], options: InitiateDeviceFlowOptions = {}): Promise<DeviceFlow | TokenError> {
    const decorated = this.decorate(scopes);
    const claims = this.claims(options.claimsChallenge);
    const own: Record<string, string> = { client_id: this.clientId, scope: scopeParam(decorated), ...(claims ? { claims } : {}) };
    // The fields above bind the code to this client and these scopes: extra fields add, never replace.
    const clash = Object.keys(options.extraParameters ?? {}).find((name) => Object.hasOwn(own, name));
    if (clash !== undefined) {
      throw new InvalidArgumentError(`The extra parameter "${clash}" is set by the device authorization request itself. Remove it from the extra parameters.`);
    }
    const authority = await this.authority();
    if (!authority.deviceAuthorizationEndpoint) {
      throw new InvalidArgumentError('This authority does not offer the device code flow (no device_authorization_endpoint).', 'unsupported');
    }
    const correlationId = randomUUID();
    const response = await this.http.post(authority.deviceAuthorizationEndpoint, {
      data: { ...options.extraParameters, ...own },
      headers: { Accept: 'application/json', 'client-request-id': correlationId },
    });
    const json = parseJsonResponse(response, 'device authorization endpoint');
    if (isOAuthError(json)) return toErrorValue(json);
    const interval = toInt(json['interval']) ?? 5;
    const expiresIn = toInt(json['expires_in']) ?? 1800;
    return {
      ...json,
      interval,
      expires_in: expiresIn,
      expires_at: Date.now() / 1000 + expiresIn,
      scope: decorated,
      _correlation_id: correlationId,
    } as unknown as DeviceFlow;
  }

  /**
   * Poll the token endpoint until the user finishes the device flow, it expires, or `exitCondition`.
   *
   * Returns the token, or the last error (`authorization_pending`, `expired_token`, ...).
   */
  async acquireTokenByDeviceFlow(flow: DeviceFlow, options: DeviceFlowPollOptions = {}): Promise<TokenResult> {
    if (!flow || typeof flow.device_code !== 'string') {
      throw new InvalidArgumentError('acquireTokenByDeviceFlow needs the flow returned by initiateDeviceFlow.');
    }
    const authority = await this.authority();
    const exit = options.exitCondition ?? ((f: DeviceFlow) => f.expires_at < Date.now() / 1000);
    const sleep = options.sleep ?? defaultSleep;
    let interval = flow.interval || 5;
    for (;;) {
      const result = await this.requestToken({
        authority,
        grantType: DEVICE_CODE_GRANT,
        apiId: ClientApplication.ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID,
        correlationId: flow._correlation_id,
        // MSAL sends the code under both names: ADFS expects `code`.
        data: { device_code: flow.device_code, code: flow.device_code, scope: flow.scope ? scopeParam(flow.scope) : undefined, claims: this.claims(options.claimsChallenge) },
        scopes: flow.scope,
      });
      if (!result.error) return result;
      if (result.error !== 'authorization_pending' && result.error !== 'slow_down') return result;
      if (result.error === 'slow_down') interval += 5;
      if (exit(flow) || options.signal?.aborted) return result;
      await sleep(interval * 1000, options.signal);
      if (options.signal?.aborted) return result;
    }
  }
}

/**
 * The interactive sign-in of `acquireTokenInteractive`, for any client application: a
 * confidential client that signs people in (a desktop client with a secret, as Google's are) runs
 * the same steps. MSAL offers it on public clients only; the app uses this for the other case.
 */
export async function acquireTokenInteractiveWith(client: ClientApplication, scopes: readonly string[], options: AcquireTokenInteractiveOptions): Promise<TokenResult> {
  if (!options || (!options.broker && !options.openBrowser)) {
    throw new InvalidArgumentError('acquireTokenInteractive needs a broker or an openBrowser function.');
  }
  const broker: AuthorizationBroker = options.broker ?? new LoopbackBroker({ openExternal: options.openBrowser!, port: options.port ?? 0 });
  try {
    const authority = await client.authority();
    const prepared = broker.prepare ? await broker.prepare({ loopbackStyle: authority.isOidc ? 'rfc8252' : 'entra' }) : undefined;
    const redirectUri = options.redirectUri ?? prepared?.redirectUri;
    if (!redirectUri) throw new InvalidArgumentError('No redirect URI: pass redirectUri or a broker that prepares one.');
    const flow = await client.initiateAuthCodeFlow([...scopes, ...(options.extraScopesToConsent ?? [])], {
      redirectUri,
      prompt: options.prompt,
      loginHint: options.loginHint,
      domainHint: options.domainHint,
      claimsChallenge: options.claimsChallenge,
      maxAge: options.maxAge,
      extraParameters: options.extraParameters,
    });
    options.onBeforeLaunchingUi?.({ ui: 'browser' });
    const redirected = await broker.open(flow.auth_uri, redirectUri, { timeoutMs: options.timeout, signal: options.signal });
    options.onRedirect?.(redirected);
    return await client.acquireTokenByAuthCodeFlow(flow, redirectParameters(redirected), scopes, {
      apiId: ClientApplication.ACQUIRE_TOKEN_INTERACTIVE,
    });
  } finally {
    await broker.close?.();
  }
}

/** The parameters of a redirect URL: query first, then fragment (for `response_mode=fragment`). */
export function redirectParameters(redirectUrl: string): Record<string, string> {
  const url = new URL(redirectUrl);
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(url.hash.replace(/^#/, ''))) out[key] = value;
  for (const [key, value] of url.searchParams) out[key] = value;
  return out;
}
