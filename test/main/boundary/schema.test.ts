import { describe, expect, it } from 'vitest';
import { API_METHODS, LIMITS } from '../../../preload/contract';
import { isApiMethodName, parseArguments } from '../../../main/boundary/schema';

const validateArgs = (method: string, args: unknown): unknown[] => parseArguments(method as (typeof API_METHODS)[number], args);

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

describe('the argument schema of every contract method', () => {
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
      copyDeviceCode: ['user-code'],
      reauthenticate: ['0123456789abcdef0123456789abcdef'],
      signInForScopes: ['acc-1', ['api://tessera-demo/write']],
      removeAccount: ['0123456789abcdef0123456789abcdef'],
      refreshAccount: ['acc.1|login.microsoftonline.com'],
      setPinned: ['acc-1', true],
      copyToken: [{ accountId: 'acc-1', format: 'bearer', scopes: ['api://tessera-demo/read'] }],
      revealToken: [{ accountId: 'acc-1' }],
      getIdToken: [{ accountId: 'acc-1', raw: true }],
      getSettings: [],
      updateSettings: [{ clipboardClearSeconds: 0, linuxPasswordStore: 'gnome-libsecret' }],
      getStorageStatus: [],
      getBridgeStatus: [],
      listConsentPrompts: [],
      answerConsent: ['8d4c3a52-2f4e-4b1e-9a57-1d3c2b1a0f9e', 'session'],
      listStandingRules: [],
      revokeStandingRule: ['8d4c3a52-2f4e-4b1e-9a57-1d3c2b1a0f9e'],
      listActivity: [],
      setDefaultAccount: [null],
      installCommandLineTool: [],
    };
    for (const method of API_METHODS) {
      const args = good[method];
      expect(validateArgs(method, args), method).toEqual(args);
    }
    const [copy] = validateArgs('validateProfile', [draft]);
    expect(copy).not.toBe(draft);
  });

  it('knows the contract methods only, not inherited property names', () => {
    expect(isApiMethodName('listAccounts')).toBe(true);
    for (const name of ['stealTokens', 'constructor', '__proto__', 'toString']) expect(isApiMethodName(name)).toBe(false);
  });

  it('refuses a wrong number of arguments', () => {
    expect(rejection('listAccounts', [1]).message).toBe('This operation takes 0 arguments.');
    expect(rejection('setPinned', ['acc-1']).message).toMatch(/takes 2 arguments/);
    expect(rejection('deleteProfile', 'p-1' as unknown as unknown[]).message).toBe('The arguments must be a list.');
  });

  // Messages name the field in the words the form uses, never the path of an argument.
  const malformed: Array<[string, unknown[], RegExp]> = [
    ['validateProfile', [null], /^The profile must be an object\.$/],
    ['validateProfile', [[draft]], /^The profile must be an object\.$/],
    ['validateProfile', [{ ...draft, name: '' }], /^Profile name must not be empty\.$/],
    ['validateProfile', [{ ...draft, name: '   ' }], /^Profile name must not be empty\.$/],
    ['validateProfile', [{ ...draft, name: 'x'.repeat(LIMITS.nameLength + 1) }], /^Profile name must have at most 100 characters\.$/],
    ['validateProfile', [{ ...draft, kind: 'saml' }], /^Provider kind must be one of entra, oidc\.$/],
    ['validateProfile', [{ kind: 'entra' }], /^Profile name is missing\.$/],
    ['saveProfile', [{ ...draft, preset: 'facebook' }], /^Preset must be one of/],
    ['saveProfile', [{ ...draft, clientId: 'has space' }], /^Client id must not contain spaces/],
    ['saveProfile', [{ ...draft, clientId: 'caf\u00e9' }], /^Client id must not contain spaces \(printable characters only\)/],
    ['saveProfile', [{ ...draft, authority: 42 }], /^Authority URL must be text\.$/],
    ['saveProfile', [{ ...draft, defaultScopes: 'User.Read' }], /^Default scopes must be a list of scopes\.$/],
    ['saveProfile', [{ ...draft, defaultScopes: ['a b'] }], /^Each scope in default scopes must be a scope without spaces/],
    ['saveProfile', [{ ...draft, defaultScopes: Array.from({ length: LIMITS.scopeCount + 1 }, (_, i) => `s${i}`) }], /at most 50 scopes/],
    ['saveProfile', [{ ...draft, signInMethod: 'popup' }], /^Sign-in method must be one of embedded, system-browser, device-code\.$/],
    ['saveProfile', [{ ...draft, builtIn: true }], /^The profile has a field Tessera does not know \("builtIn"\)\.$/],
    ['saveProfile', [{ ...draft, id: '../etc/passwd' }], /^Profile id must be an id/],
    ['saveProfile', [{ ...draft, extraAuthorizeParameters: { 'bad key': 'x' } }], /^Each extra sign-in parameter name must be a plain token/],
    ['saveProfile', [{ ...draft, redirectUri: 'https://x/\u0000' }], /^Redirect URI must not contain control characters\.$/],
    ['deleteProfile', [''], /^Provider profile must not be empty\.$/],
    ['deleteProfile', [{}], /^Provider profile must be text\.$/],
    ['addAccount', [{ profileId: 'demo', method: 'webview' }], /^Sign-in method must be one of/],
    ['addAccount', [{ profileId: 'demo', loginHint: 'x'.repeat(LIMITS.loginHintLength + 1) }], /^Login hint must have at most 320 characters\.$/],
    ['addAccount', [{ profile: 'demo' }], /does not know|is missing/],
    ['reauthenticate', ['a/b'], /^Account must be an id/],
    ['removeAccount', [['acc-1']], /^Account must be text\.$/],
    ['refreshAccount', ['x'.repeat(LIMITS.idLength + 1)], /at most 256 characters/],
    ['setPinned', ['acc-1', 'yes'], /^Pinned must be true or false\.$/],
    ['copyToken', [{ accountId: 'acc-1' }], /^Token format is missing\.$/],
    ['copyToken', [{ accountId: 'acc-1', format: 'jwt' }], /^Token format must be one of raw, bearer\.$/],
    ['copyToken', [{ accountId: 'acc-1', format: 'raw', scopes: [] }], /^Scopes must contain at least one scope\.$/],
    ['copyToken', [{ accountId: 'acc-1', format: 'raw', scopes: ['ok', 7] }], /^Each scope in scopes must be text\.$/],
    ['revealToken', [{ accountId: 'acc 1' }], /^Account must be an id/],
    ['signInForScopes', ['acc-1', []], /^Scopes must contain at least one scope\.$/],
    ['copyDeviceCode', ['device_code'], /^Part of the device code must be one of user-code, verification-uri\.$/],
    ['getIdToken', [{ accountId: 'acc-1', raw: 1 }], /^Show the raw token must be true or false\.$/],
    ['revealToken', [new Date()], /^The token request must be an object\.$/],
    ['updateSettings', [{}], /^The settings change must change at least one setting\.$/],
    ['updateSettings', [{ clipboardClearSeconds: -1 }], /^Clipboard clear time \(seconds\) must be between 0 and 3600\.$/],
    ['updateSettings', [{ clipboardClearSeconds: 1.5 }], /whole number/],
    ['updateSettings', [{ autoRefreshLeadMinutes: 0 }], /between 1 and 60/],
    ['updateSettings', [{ linuxPasswordStore: 'plaintext' }], /^Password store must be one of auto, gnome-libsecret/],
    ['updateSettings', [{ allowWeakEncryption: 'true' }], /^Allow weak encryption must be true or false\.$/],
    ['updateSettings', [{ theme: 'dark' }], /^The settings change has a field Tessera does not know \("theme"\)\.$/],
    ['answerConsent', ['p-1', 'forever'], /^Answer must be one of once, session, always, deny\.$/],
    ['answerConsent', ['', 'once'], /^Token request must not be empty\.$/],
    ['revokeStandingRule', [{ id: 'r-1' }], /^Standing rule must be text\.$/],
    ['setDefaultAccount', [undefined], /^Account must be text\.$/],
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
