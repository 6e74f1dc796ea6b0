import { describe, expect, it } from 'vitest';
import { API_METHODS } from '../../../preload/contract';
import { LIMITS, validateArgs } from '../../../main/ipc/validate';

const draft = {
  name: 'Contoso',
  kind: 'entra',
  preset: 'entra',
  clientId: '11111111-2222-3333-4444-555555555555',
  authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
  defaultScopes: ['User.Read'],
  signInMethod: 'embedded',
};

/** Calls validateArgs and returns the thrown error's code and message. */
function rejection(method: string, args: unknown[]): { code: unknown; message: string } {
  try {
    validateArgs(method, args);
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
  throw new Error(`${method} accepted ${JSON.stringify(args)}`);
}

describe('validateArgs', () => {
  it('accepts well-formed arguments for every method and returns clean copies', () => {
    const good: Record<(typeof API_METHODS)[number], unknown[]> = {
      getAppInfo: [],
      listPresets: [],
      listProfiles: [],
      validateProfile: [draft],
      saveProfile: [{ ...draft, id: 'p-1', extraAuthorizeParameters: { prompt: 'select_account' } }],
      deleteProfile: ['p-1'],
      listAccounts: [],
      addAccount: [{ profileId: 'demo', method: 'system-browser', loginHint: 'alice@example.com' }],
      cancelSignIn: [],
      reauthenticate: ['0123456789abcdef0123456789abcdef'],
      removeAccount: ['0123456789abcdef0123456789abcdef'],
      refreshAccount: ['acc.1|login.microsoftonline.com'],
      setPinned: ['acc-1', true],
      copyToken: [{ accountId: 'acc-1', format: 'bearer', scopes: ['api://tessera-demo/read'] }],
      revealToken: [{ accountId: 'acc-1' }],
      getSettings: [],
      updateSettings: [{ clipboardClearSeconds: 0, linuxPasswordStore: 'gnome-libsecret' }],
      getStorageStatus: [],
    };
    for (const method of API_METHODS) {
      const args = good[method];
      expect(validateArgs(method, args), method).toEqual(args);
    }
    const [copy] = validateArgs('validateProfile', [draft]);
    expect(copy).not.toBe(draft);
  });

  it('refuses an unknown method, including inherited property names', () => {
    expect(rejection('stealTokens', []).code).toBe('invalid_argument');
    expect(rejection('constructor', []).code).toBe('invalid_argument');
    expect(rejection('__proto__', []).code).toBe('invalid_argument');
  });

  it('refuses a wrong number of arguments', () => {
    expect(rejection('listAccounts', [1]).message).toMatch(/takes 0 argument/);
    expect(rejection('setPinned', ['acc-1']).message).toMatch(/takes 2 argument/);
  });

  const malformed: Array<[string, unknown[], RegExp]> = [
    ['validateProfile', [null], /draft must be an object/],
    ['validateProfile', [[draft]], /draft must be an object/],
    ['validateProfile', [{ ...draft, name: '' }], /draft\.name must not be empty/],
    ['validateProfile', [{ ...draft, name: 'x'.repeat(LIMITS.nameLength + 1) }], /draft\.name must have at most/],
    ['validateProfile', [{ ...draft, kind: 'saml' }], /draft\.kind must be one of entra, oidc/],
    ['saveProfile', [{ ...draft, preset: 'facebook' }], /draft\.preset must be one of/],
    ['saveProfile', [{ ...draft, clientId: 'has space' }], /draft\.clientId must not contain spaces/],
    ['saveProfile', [{ ...draft, authority: 42 }], /draft\.authority must be a string/],
    ['saveProfile', [{ ...draft, defaultScopes: 'User.Read' }], /draft\.defaultScopes must be a list/],
    ['saveProfile', [{ ...draft, defaultScopes: ['a b'] }], /draft\.defaultScopes\[0\] must be a scope/],
    ['saveProfile', [{ ...draft, defaultScopes: Array.from({ length: LIMITS.scopeCount + 1 }, (_, i) => `s${i}`) }], /at most 50 scopes/],
    ['saveProfile', [{ ...draft, signInMethod: 'popup' }], /draft\.signInMethod must be one of/],
    ['saveProfile', [{ ...draft, builtIn: true }], /unknown field \("builtIn"\)/],
    ['saveProfile', [{ ...draft, id: '../etc/passwd' }], /draft\.id must be an id/],
    ['saveProfile', [{ ...draft, extraAuthorizeParameters: { 'bad key': 'x' } }], /parameter name/],
    ['saveProfile', [{ ...draft, redirectUri: 'https://x/\u0000' }], /control characters/],
    ['deleteProfile', [''], /profileId must not be empty/],
    ['deleteProfile', [{}], /profileId must be a string/],
    ['addAccount', [{ profileId: 'demo', method: 'webview' }], /request\.method must be one of/],
    ['addAccount', [{ profileId: 'demo', loginHint: 'x'.repeat(LIMITS.loginHintLength + 1) }], /request\.loginHint must have at most/],
    ['addAccount', [{ profile: 'demo' }], /unknown field/],
    ['reauthenticate', ['a/b'], /accountId must be an id/],
    ['removeAccount', [['acc-1']], /accountId must be a string/],
    ['refreshAccount', ['x'.repeat(LIMITS.idLength + 1)], /at most 256 characters/],
    ['setPinned', ['acc-1', 'yes'], /pinned must be true or false/],
    ['copyToken', [{ accountId: 'acc-1' }], /request\.format must be one of raw, bearer/],
    ['copyToken', [{ accountId: 'acc-1', format: 'raw', scopes: [] }], /at least one scope/],
    ['copyToken', [{ accountId: 'acc-1', format: 'raw', scopes: ['ok', 7] }], /scopes\[1\] must be a string/],
    ['revealToken', [{ accountId: 'acc 1' }], /request\.accountId must be an id/],
    ['revealToken', [new Date()], /request must be a plain object/],
    ['updateSettings', [{}], /at least one setting/],
    ['updateSettings', [{ clipboardClearSeconds: -1 }], /between 0 and 3600/],
    ['updateSettings', [{ clipboardClearSeconds: 1.5 }], /whole number/],
    ['updateSettings', [{ autoRefreshLeadMinutes: 0 }], /between 1 and 60/],
    ['updateSettings', [{ linuxPasswordStore: 'plaintext' }], /one of auto, gnome-libsecret/],
    ['updateSettings', [{ allowWeakEncryption: 'true' }], /true or false/],
    ['updateSettings', [{ theme: 'dark' }], /unknown field \("theme"\)/],
  ];

  it.each(malformed)('%s with malformed arguments → invalid_argument (%#)', (method, args, message) => {
    const error = rejection(method, args);
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(message);
  });

  it('rejects a smuggled __proto__ key from JSON without polluting anything', () => {
    const payload: unknown = JSON.parse('{"accountId":"acc-1","format":"raw","__proto__":{"polluted":true}}');
    expect(rejection('copyToken', [payload]).code).toBe('invalid_argument');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never echoes the offending value, which may be a pasted token', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
    for (const [method, args] of [
      ['deleteProfile', [`${token} `]],
      ['setPinned', [token, token]],
      ['copyToken', [{ accountId: 'acc-1', format: token }]],
      ['saveProfile', [{ ...draft, [token]: 1 }]],
      ['updateSettings', [{ linuxPasswordStore: token }]],
    ] as const) {
      expect(rejection(method, [...args]).message).not.toContain('eyJ');
    }
  });
});
