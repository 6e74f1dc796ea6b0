import { describe, expect, it } from 'vitest';
import type { AccountView, ApiMethods, CopyTokenRequest, Settings } from '../../../preload/contract';
import { AuthError, InvalidArgumentError } from '../../../main/auth/errors';
import { createDispatcher } from '../../../main/boundary/dispatch';
import { isTrustedAppUrl } from '../../../main/windows/policy';

const APP_URL = 'app://tessera/index.html';
const TOKEN = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImF1ZCI6ImFwaSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';
const REFRESH_TOKEN = '0.AAAAtessera-refresh-token-looking-string-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const account: AccountView = {
  id: 'acc-1',
  profileId: 'demo',
  profileName: 'Demo',
  providerKind: 'oidc',
  username: 'alice@example.com',
  status: { kind: 'unknown' },
  pinned: false,
  storage: 'encrypted',
};

/** An in-memory ApiMethods that records calls and can be told to throw. */
class FakeApi implements ApiMethods {
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  failWith: unknown;

  #record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failWith !== undefined) throw this.failWith;
  }
  async getAppInfo() {
    this.#record('getAppInfo', []);
    return { version: '0.1.0', platform: 'linux', mode: 'electron' as const, demoProviderAvailable: true };
  }
  async listPresets() {
    this.#record('listPresets', []);
    return [];
  }
  async listProfiles() {
    this.#record('listProfiles', []);
    return [];
  }
  async validateProfile(...args: Parameters<ApiMethods['validateProfile']>) {
    this.#record('validateProfile', args);
    return { valid: true, fieldErrors: {} };
  }
  async saveProfile(...args: Parameters<ApiMethods['saveProfile']>) {
    this.#record('saveProfile', args);
    return { ...args[0], id: 'p-1' };
  }
  async deleteProfile(...args: Parameters<ApiMethods['deleteProfile']>) {
    this.#record('deleteProfile', args);
  }
  async listAccounts() {
    this.#record('listAccounts', []);
    return [account];
  }
  async addAccount(...args: Parameters<ApiMethods['addAccount']>) {
    this.#record('addAccount', args);
    return account;
  }
  async cancelSignIn() {
    this.#record('cancelSignIn', []);
  }
  async copyDeviceCode(...args: Parameters<ApiMethods['copyDeviceCode']>) {
    this.#record('copyDeviceCode', args);
  }
  async reauthenticate(...args: Parameters<ApiMethods['reauthenticate']>) {
    this.#record('reauthenticate', args);
    return account;
  }
  async signInForScopes(...args: Parameters<ApiMethods['signInForScopes']>) {
    this.#record('signInForScopes', args);
    return account;
  }
  async removeAccount(...args: Parameters<ApiMethods['removeAccount']>) {
    this.#record('removeAccount', args);
  }
  async refreshAccount(...args: Parameters<ApiMethods['refreshAccount']>) {
    this.#record('refreshAccount', args);
    return account;
  }
  async setPinned(...args: Parameters<ApiMethods['setPinned']>) {
    this.#record('setPinned', args);
    return { ...account, pinned: args[1] };
  }
  async copyToken(request: CopyTokenRequest) {
    this.#record('copyToken', [request]);
    return { format: request.format, clearsAt: null, expiresOn: 1 };
  }
  async revealToken(...args: Parameters<ApiMethods['revealToken']>) {
    this.#record('revealToken', args);
    return { accessToken: 'shown-on-request', tokenType: 'Bearer', expiresOn: 1, scopes: [], source: 'cache' as const };
  }
  async getIdToken(...args: Parameters<ApiMethods['getIdToken']>) {
    this.#record('getIdToken', args);
    return { header: { alg: 'RS256' }, claims: { sub: 'alice' }, ...(args[0].raw ? { idToken: 'shown-on-request' } : {}) };
  }
  async getSettings(): Promise<Settings> {
    this.#record('getSettings', []);
    return { clipboardClearSeconds: 60, defaultSignInMethod: 'embedded', linuxPasswordStore: 'auto', allowWeakEncryption: false, autoRefreshLeadMinutes: 5 };
  }
  async updateSettings(...args: Parameters<ApiMethods['updateSettings']>) {
    this.#record('updateSettings', args);
    return { ...(await this.getSettings()), ...args[0] };
  }
  async getStorageStatus() {
    this.#record('getStorageStatus', []);
    return { mode: 'encrypted' as const, backend: 'aes-gcm-keyfile' };
  }
  async getBridgeStatus() {
    this.#record('getBridgeStatus', []);
    return { running: false, reason: 'not in this test', defaultAccountId: null, commandLineTool: { installPath: '/home/u/.local/bin/tessera', installed: false, onPath: true } };
  }
  async listConsentPrompts() {
    this.#record('listConsentPrompts', []);
    return [];
  }
  async answerConsent(...args: Parameters<ApiMethods['answerConsent']>) {
    this.#record('answerConsent', args);
  }
  async listStandingRules() {
    this.#record('listStandingRules', []);
    return [];
  }
  async revokeStandingRule(...args: Parameters<ApiMethods['revokeStandingRule']>) {
    this.#record('revokeStandingRule', args);
  }
  async listActivity() {
    this.#record('listActivity', []);
    return [];
  }
  async setDefaultAccount(...args: Parameters<ApiMethods['setDefaultAccount']>) {
    this.#record('setDefaultAccount', args);
  }
  async installCommandLineTool() {
    this.#record('installCommandLineTool', []);
    return { installPath: '/home/u/.local/bin/tessera', installed: true, onPath: true };
  }
}

function setup() {
  const api = new FakeApi();
  const unexpected: Array<{ method: string; error: unknown }> = [];
  const dispatcher = createDispatcher(api, {
    isTrustedSender: (url) => isTrustedAppUrl(url),
    onUnexpectedError: (method, error) => unexpected.push({ method, error }),
  });
  return { api, dispatcher, unexpected };
}

describe('createDispatcher', () => {
  it('serves a trusted frame and returns { ok, value }', async () => {
    const { api, dispatcher } = setup();
    const result = await dispatcher.invoke('setPinned', ['acc-1', true], APP_URL);
    expect(result).toEqual({ ok: true, value: { ...account, pinned: true } });
    expect(api.calls).toEqual([{ method: 'setPinned', args: ['acc-1', true] }]);
  });

  it.each([
    ['a foreign https page', 'https://evil.example/index.html'],
    ['a file URL', 'file:///tmp/index.html'],
    ['about:blank', 'about:blank'],
    ['a look-alike host', 'app://tessera.evil/index.html'],
    ['an empty URL', ''],
    ['no frame at all', undefined],
  ])('rejects %s with forbidden_sender and never calls the api', async (_name, senderUrl) => {
    const { api, dispatcher } = setup();
    const result = await dispatcher.invoke('listAccounts', [], senderUrl);
    expect(result).toEqual({ ok: false, error: { code: 'forbidden_sender', message: expect.any(String) } });
    expect(api.calls).toEqual([]);
  });

  it('treats a throwing sender check as untrusted', async () => {
    const api = new FakeApi();
    const dispatcher = createDispatcher(api, {
      isTrustedSender: () => {
        throw new Error('boom');
      },
    });
    expect(await dispatcher.invoke('listAccounts', [], APP_URL)).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
  });

  it.each(['exportCache', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])('rejects the unknown method %s', async (method) => {
    const { api, dispatcher } = setup();
    expect(await dispatcher.invoke(method, [], APP_URL)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(api.calls).toEqual([]);
  });

  const malformed: Array<[string, unknown[]]> = [
    ['validateProfile', [{ name: 'x' }]],
    ['saveProfile', ['not an object']],
    ['deleteProfile', [42]],
    ['addAccount', [{ profileId: 'demo', method: 'iframe' }]],
    ['reauthenticate', [null]],
    ['signInForScopes', ['acc-1', []]],
    ['copyDeviceCode', ['device-code']],
    ['signInForScopes', ['acc-1', ['two words']]],
    ['getIdToken', [{ accountId: 'acc-1', raw: 'yes' }]],
    ['removeAccount', ['../../etc']],
    ['refreshAccount', []],
    ['setPinned', ['acc-1', 1]],
    ['copyToken', [{ accountId: 'acc-1', format: 'jwt' }]],
    ['revealToken', [{ accountId: 'acc-1', scopes: 'openid' }]],
    ['updateSettings', [{ clipboardClearSeconds: 99999 }]],
    ['getSettings', ['extra']],
  ];
  it.each(malformed)('%s with malformed arguments → invalid_argument, api untouched', async (method, args) => {
    const { api, dispatcher } = setup();
    const result = await dispatcher.invoke(method, args, APP_URL);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(api.calls).toEqual([]);
  });

  it('passes validated copies, not the sender objects', async () => {
    const { api, dispatcher } = setup();
    const request = { accountId: 'acc-1', format: 'raw' };
    await dispatcher.invoke('copyToken', [request], APP_URL);
    expect(api.calls[0]?.args[0]).toEqual(request);
    expect(api.calls[0]?.args[0]).not.toBe(request);
  });

  it('keeps the code of our errors and redacts a token in their message', async () => {
    const { api, dispatcher } = setup();
    api.failWith = new AuthError('http_error', `The provider answered 400 for refresh_token=${REFRESH_TOKEN} with ${TOKEN}`);
    const result = await dispatcher.invoke('refreshAccount', ['acc-1'], APP_URL);
    expect(result.ok).toBe(false);
    const text = JSON.stringify(result);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(REFRESH_TOKEN);
    expect(text).not.toContain('eyJ');
    expect(result).toMatchObject({ ok: false, error: { code: 'http_error', message: expect.stringContaining('[redacted]') } });
  });

  it('maps an unknown error to internal_error without echoing its message or stack', async () => {
    const { api, dispatcher, unexpected } = setup();
    const error = new TypeError(`Cannot read properties of undefined (reading '${TOKEN}')`);
    api.failWith = error;
    const result = await dispatcher.invoke('listAccounts', [], APP_URL);
    expect(result).toEqual({ ok: false, error: { code: 'internal_error', message: expect.any(String) } });
    const text = JSON.stringify(result);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('Cannot read');
    expect(text).not.toContain('at ');
    expect(unexpected).toEqual([{ method: 'listAccounts', error }]);
  });

  it('maps thrown non-errors and Node system errors to internal_error', async () => {
    const { api, dispatcher } = setup();
    api.failWith = `a string with ${TOKEN}`;
    expect(await dispatcher.invoke('getSettings', [], APP_URL)).toMatchObject({ ok: false, error: { code: 'internal_error' } });
    api.failWith = Object.assign(new Error(`ENOENT: no such file, open '/home/alice/${REFRESH_TOKEN}'`), { code: 'ENOENT' });
    const result = await dispatcher.invoke('getSettings', [], APP_URL);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal_error' } });
    expect(JSON.stringify(result)).not.toContain('/home/alice');
  });

  it('returns a validation error as a value too', async () => {
    const { api, dispatcher } = setup();
    api.failWith = new InvalidArgumentError('That scope is reserved.');
    expect(await dispatcher.invoke('listPresets', [], APP_URL)).toEqual({ ok: false, error: { code: 'invalid_argument', message: 'That scope is reserved.' } });
  });
});
