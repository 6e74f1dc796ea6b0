/**
 * Row "secrets canary" (issue 8.1): a provider issues tokens of many shapes, then echoes every
 * secret the app holds back in every field of its error answers — on a refresh, on a code
 * redemption, in an authorization response, in discovery. The whole app runs as users run it
 * (browser mode with persisted tokens and the token bridge), driven only at its boundaries: the
 * browser-mode HTTP API, the IPC dispatcher (`main/boundary/dispatch.ts`, what the Electron IPC
 * handler feeds) and the bridge's socket.
 *
 * Afterwards every held secret — access, refresh and ID tokens, authorization codes, PKCE
 * verifiers — and its URL- and JSON-escaped forms are searched for in every file of the data
 * folder, every log line, every event pushed to the page, every answer given at the boundary
 * (except the ones whose job is to hand out a token) and this test's own output. Each hit is a leak.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ProfileDraft, Result } from '../../preload/contract';
import { createDispatcher, type Dispatcher } from '../../main/boundary/dispatch';
import { BridgeApi, composeAppApi } from '../../main/bridge/bridge-api';
import { CommandLineToolInstaller } from '../../main/bridge/command-line-tool';
import { startBrowserMode, type BrowserMode } from '../../main/browser-host/browser-mode';
import { RecordingClipboard } from '../../main/clipboard/clipboard';
import { DEMO_PROFILE_ID } from '../../main/services/profiles';
import { startHostileProvider, type HostileProvider, type ScriptedAnswer } from '../support/hostile-provider';
import { useTempDirs } from '../support/temp-dirs';
import { hardeningCase } from './harness';

const tempDir = useTempDirs('hardening-canary');
const CLIENT_ID = 'tessera-canary';
const SCOPE = 'api://canary/read';
/** What the bridge's caller says about itself: a terminal, so the bridge prompts (and "always" makes a rule). */
const CALLER = { program: 'canary-probe', tty: '/dev/pts/99', terminalSession: '4242', integration: 'cli' } as const;
const CALL_LIMIT_MS = 20_000;

let op: HostileProvider;

beforeAll(async () => {
  op = await startHostileProvider();
});

afterAll(async () => {
  await op?.stop();
});

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function alnum(length: number): string {
  return [...randomBytes(length)].map((byte) => ALNUM[byte % ALNUM.length]).join('');
}
const b64url = (bytes: number): string => randomBytes(bytes).toString('base64url');

/**
 * Token shapes seen in the wild. Redaction by shape alone missed UUIDs, short opaque values and
 * dot-separated values (issue 8.1); the app now removes what it holds by value.
 */
const SHAPES: ReadonlyArray<readonly [name: string, make: () => string]> = [
  ['UUID (Spring Security OAuth2 refresh tokens)', () => randomUUID()],
  ['short opaque, 8 characters', () => alnum(8)],
  ['hex, 40 characters', () => randomBytes(20).toString('hex')],
  ['JWT-like, three dot-separated base64url segments', () => `eyJ${b64url(12)}.eyJ${b64url(30)}.${b64url(32)}`],
  ['Entra-like, a version prefix and dots', () => `0.A${b64url(48)}.AgABAAEAAAD${b64url(36)}`],
  ['base64url, 32 bytes', () => b64url(32)],
  ['base64 with + / =', () => `${randomBytes(24).toString('base64')}+/${alnum(4)}==`],
  ['URL- and JSON-special characters', () => `${alnum(6)}&a=b?c#d%25e+f/g"h\\i<j>k'l{m}`],
  ['non-ASCII', () => `tök€n-${alnum(10)}`],
  ['long, 4 KiB', () => b64url(3072)],
];

/** The forms a secret can take in text: as is, URL-encoded (two ways), JSON-escaped (two ways). */
function formsOf(secret: string): ReadonlyArray<readonly [form: string, text: string]> {
  const json = JSON.stringify(secret).slice(1, -1);
  const jsonAscii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const forms: Array<readonly [string, string]> = [
    ['as is', secret],
    ['URL-encoded', encodeURIComponent(secret)],
    ['form-encoded', new URLSearchParams({ x: secret }).toString().slice(2)],
    ['JSON-escaped', json],
    ['JSON-escaped, ASCII only', jsonAscii],
  ];
  const seen = new Set<string>();
  return forms.filter(([, text]) => (seen.has(text) ? false : (seen.add(text), true)));
}

/** A header value may carry only visible ASCII; other values go URL-encoded (as servers do). */
const headerSafe = (value: string): string => (/^[\x20-\x7e]*$/.test(value) && !value.includes('"') ? value : encodeURIComponent(value));

/**
 * An error answer that echoes `values` in every field a client might read: the RFC 6749 §5.2
 * fields, Entra's `suberror`, `error_codes`, `trace_id`, `correlation_id` and `claims`, token
 * fields, a nested object, a field name, and the `WWW-Authenticate` and custom headers (values
 * under 1 KiB: a real server's header limit).
 */
function echoAnswer(values: readonly string[], status: number, error: string | undefined): ScriptedAnswer {
  const [first = '', second = first] = values;
  const forHeaders = values.filter((value) => value.length < 1024).map(headerSafe).join(' ');
  return {
    status,
    headers: {
      'www-authenticate': `Bearer error="invalid_token", error_description="${forHeaders}"`,
      'x-echo': forHeaders,
    },
    body: {
      error: error ?? first,
      error_description: `Invalid refresh token: ${values.join(' ')} (url: ${values.map(encodeURIComponent).join(' ')}) (json: ${JSON.stringify(values)})`,
      error_uri: `https://127.0.0.1/errors?token=${encodeURIComponent(first)}#${second}`,
      suberror: second,
      error_codes: [first],
      trace_id: first,
      correlation_id: second,
      claims: JSON.stringify({ access_token: { echoed: values } }),
      access_token: first,
      refresh_token: second,
      id_token: first,
      details: { nested: { echoed: values } },
      [first]: 'a secret as a field name',
    },
  };
}

/** Everything one case saw, searched at the end. */
interface Places {
  /** Boundary answers (HTTP API, dispatcher, socket), minus the ones that hand out tokens. */
  readonly answers: string[];
  readonly log: string[];
  /** The page's event stream, as sent. */
  events: string;
  /** This test's own output (console and the process streams) while the case ran. */
  readonly output: string[];
}

/** Captures console and stdout/stderr output until the returned function is called (and passes it on). */
function captureOutput(into: string[]): () => void {
  const restore: Array<() => void> = [];
  for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[name];
    console[name] = (...args: unknown[]) => {
      into.push(args.map(String).join(' '));
      original.apply(console, args);
    };
    restore.push(() => (console[name] = original));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return original(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original as typeof stream.write));
  }
  return () => restore.forEach((undo) => undo());
}

/** Every file under `dir`, as text. */
function filesUnder(dir: string): Array<readonly [path: string, text: string]> {
  const files: Array<readonly [string, string]> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) files.push(...filesUnder(path));
    else if (stat?.isFile()) files.push([path, readFileSync(path).toString('utf8')]);
  }
  return files;
}

/** Marks a token answer that echoes every held secret, the PKCE verifier of that request included. */
const ECHO_ALL = Symbol('echo every held secret');

/** What the scripted system browser answers to one authorize URL: the redirect's query. */
type RedirectPlan = (authorize: URLSearchParams) => Promise<Record<string, string>>;

/** One browser-mode app on a fresh data folder, with the hostile provider as its demo profile. */
class CanaryApp {
  /** Every secret the app holds, by what it is. */
  readonly held = new Map<string, string>();
  readonly places: Places = { answers: [], log: [], events: '', output: [] };
  /** What the system browser does with the next authorize URLs, in turn. */
  readonly redirects: RedirectPlan[] = [];
  readonly dataDir = tempDir();
  mode!: BrowserMode;
  dispatcher!: Dispatcher;
  #events: AbortController | undefined;
  #streamDone: Promise<void> = Promise.resolve();
  readonly #browsing: Promise<unknown>[] = [];

  constructor(readonly make: () => string) {}

  hold(kind: string, value: string | null | undefined): void {
    if (value) this.held.set(`${kind} #${this.held.size + 1}`, value);
  }

  async start(): Promise<void> {
    this.mode = await startBrowserMode({
      version: '0.0.0-hardening',
      staticDir: tempDir(),
      dataDir: this.dataDir,
      persistTokens: true,
      clipboard: new RecordingClipboard(),
      openExternal: (url) => this.#browse(url),
      demo: {
        profile: { name: 'Hostile provider', kind: 'oidc', clientId: CLIENT_ID, authority: op.issuer, defaultScopes: [SCOPE], signInMethod: 'system-browser' },
        origin: op.origin,
        caPath: op.caPath,
      },
      // A sign-in whose redirect never comes ends at this limit (interaction_timeout). The 4 KiB
      // shape's error round (a redirect of tens of KiB) is read by the loopback listener, which
      // takes up to 64 KiB, and refused at once with the provider's access_denied; a larger one is
      // refused at once as invalid_auth_response (main/auth/loopback-broker.ts).
      signInTimeoutMs: 5_000,
      log: (line) => void this.places.log.push(line),
      bridge: { env: { XDG_RUNTIME_DIR: this.dataDir } },
    });
    // The Electron IPC handler's dispatcher over the same core and bridge, composed as main/index.ts does.
    const bridgeApi = new BridgeApi(new CommandLineToolInstaller({ binDir: join(this.dataDir, 'bin') }));
    if (this.mode.bridge) bridgeApi.attach(this.mode.bridge);
    this.dispatcher = createDispatcher(composeAppApi(this.mode.core, bridgeApi), { isTrustedSender: () => true });
    const events = new AbortController();
    this.#events = events;
    const response = await fetch(`${this.mode.host.origin}/api/events`, { headers: { Authorization: `Bearer ${this.#key()}` }, signal: events.signal });
    this.#streamDone = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) this.places.events += decoder.decode(chunk, { stream: true });
      } catch {
        // Aborted by stop().
      }
    })();
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.#browsing);
    this.#events?.abort();
    await this.#streamDone;
    await this.mode?.close();
  }

  #key(): string {
    return new URLSearchParams(new URL(this.mode.host.url).hash.slice(1)).get('k') ?? '';
  }

  /** The system browser: the provider "signs in" at once and redirects to the loopback address. */
  #browse(url: string): void {
    const authorize = new URL(url).searchParams;
    const plan = this.redirects.shift();
    if (!plan) return;
    this.#browsing.push(
      (async () => {
        const redirect = new URL(authorize.get('redirect_uri') ?? '');
        for (const [key, value] of Object.entries(await plan(authorize))) redirect.searchParams.set(key, value);
        await (await fetch(redirect)).text();
      })().catch(() => undefined),
    );
  }

  /**
   * The redirect of a sign-in that reaches the token endpoint with a code of this case's shape.
   * The token endpoint answers `answer(nonce)`, or with {@link ECHO_ALL} an error that echoes every
   * held secret, the PKCE verifier of that very request included.
   */
  redeem(answer: ((nonce: string) => Promise<ScriptedAnswer>) | typeof ECHO_ALL): RedirectPlan {
    return async (authorize) => {
      const code = this.make();
      this.hold('authorization code', code);
      // Signed before the request arrives: the provider builds its answers synchronously.
      const prepared = answer === ECHO_ALL ? undefined : await answer(authorize.get('nonce') ?? '');
      op.queue('token', (request) => {
        this.hold('PKCE verifier', new URLSearchParams(request.body).get('code_verifier'));
        return prepared ?? echoAnswer(this.secrets(), 400, 'invalid_grant');
      });
      return { code, state: authorize.get('state') ?? '', iss: op.issuer };
    };
  }

  /** A good token answer of this case's shape (the tokens are held from now on). */
  async tokens(nonce: string): Promise<ScriptedAnswer> {
    const accessToken = this.make();
    const refreshToken = this.make();
    const idToken = await op.idToken(CLIENT_ID, { nonce });
    this.hold('access token', accessToken);
    this.hold('refresh token', refreshToken);
    this.hold('ID token', idToken);
    return { body: { token_type: 'Bearer', expires_in: 3600, scope: `${SCOPE} openid profile offline_access`, access_token: accessToken, refresh_token: refreshToken, id_token: idToken } };
  }

  secrets(): string[] {
    return [...this.held.values()];
  }

  /** Calls the browser-mode HTTP API as the page does; the answer is kept unless it hands out a token. */
  async http(method: string, args: readonly unknown[], handsOutToken = false): Promise<Result<unknown>> {
    const response = await fetch(`${this.mode.host.origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.#key()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(CALL_LIMIT_MS),
    });
    const text = await response.text();
    const result = JSON.parse(text) as Result<unknown>;
    if (!(result.ok && handsOutToken)) this.places.answers.push(`${response.status} ${JSON.stringify([...response.headers])} ${text}`);
    return result;
  }

  /** Calls the IPC dispatcher as the Electron IPC handler does. */
  async ipc(method: string, args: readonly unknown[], handsOutToken = false): Promise<Result<unknown>> {
    const result = await this.dispatcher.invoke(method, args, 'app://tessera/index.html');
    if (!(result.ok && handsOutToken)) this.places.answers.push(JSON.stringify(result));
    return result;
  }

  /** Sends one `token` request on the bridge's socket, approving its prompt with "always allow". */
  async bridgeToken(params: Record<string, unknown>): Promise<Outcome> {
    const bridge = this.mode.bridge;
    if (!bridge) throw new Error('the token bridge did not start');
    const approver = setInterval(() => {
      for (const prompt of bridge.service.listConsentPrompts()) bridge.service.answerConsent(prompt.id, 'always');
    }, 20);
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        const socket = connect(bridge.server.endpoint.path);
        const seen: string[] = [];
        let buffered = '';
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error('the bridge did not answer in time'));
        }, CALL_LIMIT_MS);
        socket.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
            const line = buffered.slice(0, end);
            buffered = buffered.slice(end + 1);
            seen.push(line);
            if ('ok' in (JSON.parse(line) as object)) {
              clearTimeout(timer);
              socket.end();
              resolve(seen);
            }
          }
        });
        socket.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.write(`${JSON.stringify({ v: 1, id: 1, method: 'token', params, caller: CALLER })}\n`);
      });
      const answer = JSON.parse(lines.at(-1) ?? '{}') as { ok: boolean; error?: { code: string } };
      // A handed-out token is the socket's job; every other line (notices, errors) is searched.
      this.places.answers.push(...(answer.ok ? lines.slice(0, -1) : lines));
      return { ok: answer.ok, ...(answer.error ? { code: answer.error.code } : {}) };
    } finally {
      clearInterval(approver);
    }
  }
}


/** A boundary's answer, reduced to what the table counts. */
interface Outcome {
  readonly ok: boolean;
  readonly code?: string;
}

const outcomeOf = (result: Result<unknown>): Outcome => (result.ok ? { ok: true } : { ok: false, code: result.error.code });

/** Where each held secret turned up (by kind and form, never the value). */
function search(app: CanaryApp): string[] {
  const places: Array<readonly [string, string]> = [
    ...filesUnder(app.dataDir).map(([path, text]) => [`file ${path.slice(app.dataDir.length + 1)}`, text] as const),
    ...app.places.log.map((line, index) => [`log line ${index + 1}`, line] as const),
    ['event stream', app.places.events],
    ...app.places.answers.map((answer, index) => [`boundary answer ${index + 1}`, answer] as const),
    ['test output', app.places.output.join('\n')],
  ];
  const hits: string[] = [];
  for (const [kind, secret] of app.held) {
    for (const [form, text] of formsOf(secret)) {
      for (const [place, content] of places) if (content.includes(text)) hits.push(`${kind} (${form}) in ${place}`);
    }
  }
  return hits;
}

for (const [shape, make] of SHAPES) {
  hardeningCase(
    'secrets canary',
    `${shape}: tokens echoed in every error field reach no file, log, event, answer or output`,
    async (t) => {
      const app = new CanaryApp(make);
      const stopCapture = captureOutput(app.places.output);
      const refusals: string[] = [];
      const round = async (name: string, endpoint: 'token' | 'discovery', run: () => Promise<Outcome>): Promise<void> => {
        const before = op.requests(endpoint);
        t.tried();
        let outcome: Outcome;
        try {
          outcome = await run();
        } catch {
          outcome = { ok: true, code: 'hung or threw' };
        }
        op.reset();
        const code = outcome.ok ? undefined : outcome.code;
        if (code !== undefined && code !== 'internal_error') t.refusedWith(code);
        else t.crashed();
        // The round proves nothing unless the hostile answer was actually fetched.
        refusals.push(`${name}: ${code ?? 'accepted'}${op.requests(endpoint) > before ? '' : ' (provider never asked)'}`);
      };
      const echoAlways = (status: number, error: string | undefined): void => op.always('token', { ...echoAnswer(app.secrets(), status, error) });
      let lost = 0;
      try {
        await app.start();
        // Sign in: a code, an access, a refresh and an ID token of this shape; the verifier is held too.
        app.redirects.push(app.redeem((nonce) => app.tokens(nonce)));
        const added = await app.http('addAccount', [{ profileId: DEMO_PROFILE_ID }]);
        if (!added.ok) throw new Error(`the good sign-in failed: ${added.error.code}`);
        const accountId = (added.value as { id: string }).id;

        // Refresh, echoed, at each boundary (non-fatal errors first: invalid_grant ends the refresh token).
        echoAlways(500, 'server_error');
        await round('refresh via the bridge socket (server_error)', 'token', () => app.bridgeToken({ forceRefresh: true }));
        echoAlways(503, 'temporarily_unavailable');
        await round('refresh via the HTTP API (temporarily_unavailable)', 'token', async () => outcomeOf(await app.http('refreshAccount', [accountId])));
        echoAlways(400, undefined);
        await round('refresh via IPC, the error code is a secret', 'token', async () => outcomeOf(await app.ipc('revealToken', [{ accountId, scopes: ['api://canary/round3'] }], true)));
        echoAlways(401, 'invalid_client');
        await round('refresh via the HTTP API copy (invalid_client)', 'token', async () => outcomeOf(await app.http('copyToken', [{ accountId, format: 'raw', scopes: ['api://canary/round4'] }], true)));
        echoAlways(400, 'invalid_grant');
        await round('refresh via IPC (invalid_grant)', 'token', async () => outcomeOf(await app.ipc('refreshAccount', [accountId])));
        // The account now needs sign-in: its stored reason goes to the page, the socket, the settings file.
        await app.http('listAccounts', []);
        await app.ipc('listAccounts', []);
        await app.bridgeToken({});

        // Code redemption: the token endpoint echoes the code, this request's PKCE verifier and every token.
        app.redirects.push(app.redeem(ECHO_ALL));
        await round('code redemption echoes code, verifier and tokens', 'token', async () => outcomeOf(await app.http('reauthenticate', [accountId])));
        // An authorization response carrying an error that quotes every secret (and a code beside it).
        app.redirects.push(async (authorize) => {
          const values = app.secrets();
          return { error: 'access_denied', error_description: `Denied for ${values.join(' ')}`, error_uri: `https://127.0.0.1/e?${values.map(encodeURIComponent).join('&')}`, code: make(), state: authorize.get('state') ?? '', iss: op.issuer };
        });
        t.tried();
        const denied = outcomeOf(await app.ipc('reauthenticate', [accountId]));
        if (denied.code !== undefined && denied.code !== 'internal_error') t.refusedWith(denied.code);
        else t.crashed();
        refusals.push(`authorization response error: ${denied.code ?? 'accepted'}`);

        // Discovery: an error status quoting every secret, then a document whose fields carry them.
        const draft = (name: string): ProfileDraft => ({ name: `Canary ${name}`, kind: 'oidc', preset: 'custom-oidc', clientId: CLIENT_ID, authority: op.issuerNamed(`canary-${name}`), defaultScopes: [SCOPE], signInMethod: 'system-browser' });
        const suffix = randomBytes(4).toString('hex');
        op.queue('discovery', echoAnswer(app.secrets(), 500, 'server_error'));
        await round('discovery error quoting every secret', 'discovery', async () => {
          const profile = await app.http('saveProfile', [draft(`status-${suffix}`)]);
          if (!profile.ok) return outcomeOf(profile);
          return outcomeOf(await app.http('addAccount', [{ profileId: (profile.value as { id: string }).id }]));
        });
        const values = app.secrets();
        const named = `fields-${suffix}`;
        op.queue('discovery', {
          body: {
            ...op.discoveryOf(`canary-${named}`),
            issuer: `https://evil.example/${encodeURIComponent(values[0] ?? '')}`,
            authorization_endpoint: `http://127.0.0.1/${values.join('/')}`,
            token_endpoint: values[1] ?? '',
            jwks_uri: `javascript:${values[2] ?? ''}`,
            error: 'server_error',
            error_description: values.join(' '),
          },
        });
        await round('discovery document whose fields carry every secret', 'discovery', async () => {
          const profile = await app.ipc('saveProfile', [draft(named)]);
          if (!profile.ok) return outcomeOf(profile);
          return outcomeOf(await app.ipc('addAccount', [{ profileId: (profile.value as { id: string }).id }]));
        });
        // The form's check reports discovery failures as field messages (no code): searched, not counted.
        op.queue('discovery', echoAnswer(app.secrets(), 404, 'not_found'));
        await app.http('validateProfile', [draft(`check-${suffix}`)]);
      } finally {
        op.reset();
        await app.stop();
        // Acknowledged data survives: the account is still there when the app starts again.
        const again = await startBrowserMode({ version: '0.0.0-hardening', staticDir: tempDir(), dataDir: app.dataDir, persistTokens: true, clipboard: new RecordingClipboard(), openExternal: () => undefined });
        try {
          if ((await again.core.listAccounts()).length !== 1) lost += 1;
        } finally {
          await again.close();
        }
        stopCapture();
      }
      t.lost(lost);
      const hits = search(app);
      // Two sign-ins' codes and verifiers, and one set of tokens: seven secrets at least.
      expect(app.held.size, 'secrets held').toBeGreaterThanOrEqual(7);
      expect(hits).toEqual([]);
      expect(refusals.filter((line) => !/: [a-z][a-z0-9_]+$/.test(line) || line.includes('internal_error'))).toEqual([]);
      expect(lost).toBe(0);
    },
    { timeout: 90_000 },
  );
}
