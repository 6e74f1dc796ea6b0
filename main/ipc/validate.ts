/**
 * Runtime validation of every `ApiMethods` argument.
 *
 * Arguments reach main as `unknown` (over IPC from a renderer that may be compromised, or over HTTP
 * in browser mode), so each one is checked against the shape the contract promises before any
 * service sees it. Plain Node: no Electron, so the IPC layer and the browser-mode host share it.
 *
 * Checks are about shape and size (types, lengths, enums, ranges, unknown keys). Whether a profile's
 * authority is reachable or a client id is registered is `validateProfile`'s job, which reports
 * field errors instead of throwing. Validators return fresh objects holding only known keys, so
 * nothing the sender smuggled along (`__proto__`, `builtIn`) reaches the services.
 *
 * Error messages name the argument and the rule, never the value: a value may be a token pasted
 * into the wrong field.
 */
import { InvalidArgumentError } from '../auth/errors';
import type {
  AddAccountRequest,
  ApiMethodName,
  CopyTokenRequest,
  LinuxPasswordStore,
  PresetId,
  ProfileDraft,
  ProviderKind,
  Settings,
  SignInMethod,
  TokenFormat,
  TokenRequest,
} from '../../preload/contract';

/** Limits applied to arguments; exported so the UI and the tests can use the same numbers. */
export const LIMITS = {
  /** Profile and account ids. */
  idLength: 256,
  nameLength: 100,
  clientIdLength: 256,
  urlLength: 2048,
  loginHintLength: 320,
  scopeLength: 512,
  scopeCount: 50,
  extraParameterCount: 20,
  extraParameterKeyLength: 64,
  extraParameterValueLength: 1024,
  clipboardClearSeconds: { min: 0, max: 3600 },
  autoRefreshLeadMinutes: { min: 1, max: 60 },
} as const;

/**
 * Ids: letters, digits and a few separators, starting with a letter or digit.
 *
 * Wide enough for UUIDs, MSAL home account ids (`<oid>.<tid>`) and environment-qualified keys
 * (`…|login.microsoftonline.com`); no slash, whitespace or control characters.
 */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@|~+=-]*$/;

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Authorize parameter names: plain tokens only. */
const PARAMETER_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** Control characters (C0, DEL, C1): never valid in names, URLs or hints. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/;

const SIGN_IN_METHODS: readonly SignInMethod[] = ['embedded', 'system-browser'];
const PROVIDER_KINDS: readonly ProviderKind[] = ['entra', 'oidc'];
const PRESET_IDS: readonly PresetId[] = ['entra', 'google', 'okta', 'auth0', 'keycloak', 'demo', 'custom-oidc'];
const TOKEN_FORMATS: readonly TokenFormat[] = ['raw', 'bearer'];
const PASSWORD_STORES: readonly LinuxPasswordStore[] = ['auto', 'gnome-libsecret', 'kwallet5', 'kwallet6', 'basic'];

type Validator<T> = (value: unknown, path: string) => T;

function fail(path: string, rule: string): never {
  throw new InvalidArgumentError(`Invalid argument: ${path} ${rule}.`);
}

function plainObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const proto: unknown = Object.getPrototypeOf(value);
  // Structured clone (IPC) and JSON.parse (HTTP) both give plain objects; anything else is suspect.
  if (proto !== Object.prototype && proto !== null) fail(path, 'must be a plain object');
  return value as Record<string, unknown>;
}

/** Rejects keys outside `allowed`: a typo or an injected field should not pass silently. */
function onlyKeys(object: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) fail(path, `has an unknown field (${safeKey(key)})`);
  }
}

/** A key name is echoed only when it is short and harmless; otherwise it could carry a secret. */
function safeKey(key: string): string {
  return /^[A-Za-z][A-Za-z0-9_]{0,23}$/.test(key) ? `"${key}"` : 'with an unexpected name';
}

function string(options: { min?: number; max: number; pattern?: RegExp; patternRule?: string }): Validator<string> {
  return (value, path) => {
    if (typeof value !== 'string') fail(path, 'must be a string');
    const min = options.min ?? 1;
    if (value.length < min) fail(path, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
    if (value.length > options.max) fail(path, `must have at most ${options.max} characters`);
    if (CONTROL_CHARACTERS.test(value)) fail(path, 'must not contain control characters');
    if (options.pattern && !options.pattern.test(value)) fail(path, options.patternRule ?? 'has an invalid format');
    return value;
  };
}

const id: Validator<string> = string({
  max: LIMITS.idLength,
  pattern: ID_PATTERN,
  patternRule: 'must be an id (letters, digits and . _ : @ | ~ + = -)',
});

const scope: Validator<string> = string({
  max: LIMITS.scopeLength,
  pattern: SCOPE_PATTERN,
  patternRule: 'must be a scope without spaces, quotes or backslashes',
});

function oneOf<T extends string>(values: readonly T[]): Validator<T> {
  return (value, path) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) fail(path, `must be one of ${values.join(', ')}`);
    return value as T;
  };
}

const boolean: Validator<boolean> = (value, path) => {
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value;
};

function integer(range: { readonly min: number; readonly max: number }): Validator<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, 'must be a whole number');
    if (value < range.min || value > range.max) fail(path, `must be between ${range.min} and ${range.max}`);
    return value;
  };
}

function scopes(options: { min: number }): Validator<readonly string[]> {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, 'must be a list of scopes');
    if (value.length < options.min) fail(path, 'must contain at least one scope');
    if (value.length > LIMITS.scopeCount) fail(path, `must contain at most ${LIMITS.scopeCount} scopes`);
    return value.map((item, index) => scope(item, `${path}[${index}]`));
  };
}

/** An optional field: `undefined` (or absent) stays absent. */
function optional<T>(validator: Validator<T>): Validator<T | undefined> {
  return (value, path) => (value === undefined ? undefined : validator(value, path));
}

const url: Validator<string> = string({ max: LIMITS.urlLength });
const name: Validator<string> = string({ max: LIMITS.nameLength });
const clientId: Validator<string> = string({
  max: LIMITS.clientIdLength,
  pattern: /^\S+$/,
  patternRule: 'must not contain spaces',
});
const loginHint: Validator<string> = string({ max: LIMITS.loginHintLength });

const extraParameters: Validator<Readonly<Record<string, string>>> = (value, path) => {
  const object = plainObject(value, path);
  const entries = Object.entries(object);
  if (entries.length > LIMITS.extraParameterCount) fail(path, `must have at most ${LIMITS.extraParameterCount} entries`);
  const result: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (key.length === 0 || key.length > LIMITS.extraParameterKeyLength || !PARAMETER_NAME_PATTERN.test(key)) {
      fail(path, 'has a parameter name that is not a plain token');
    }
    result[key] = string({ min: 0, max: LIMITS.extraParameterValueLength })(item, `${path}.${key}`);
  }
  return result;
};

/** Copies the fields whose validated value is not `undefined`. */
function defined<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) result[key] = value;
  return result as T;
}

/** Validates a {@link ProfileDraft} (shape only; `validateProfile` checks meaning). */
export const profileDraft: Validator<ProfileDraft> = (value, path) => {
  const object = plainObject(value, path);
  onlyKeys(object, ['id', 'name', 'kind', 'preset', 'clientId', 'authority', 'defaultScopes', 'redirectUri', 'signInMethod', 'extraAuthorizeParameters'], path);
  return defined<ProfileDraft>({
    id: optional(id)(object.id, `${path}.id`),
    name: name(object.name, `${path}.name`),
    kind: oneOf(PROVIDER_KINDS)(object.kind, `${path}.kind`),
    preset: oneOf(PRESET_IDS)(object.preset, `${path}.preset`),
    clientId: clientId(object.clientId, `${path}.clientId`),
    authority: url(object.authority, `${path}.authority`),
    defaultScopes: scopes({ min: 0 })(object.defaultScopes, `${path}.defaultScopes`),
    redirectUri: optional(url)(object.redirectUri, `${path}.redirectUri`),
    signInMethod: oneOf(SIGN_IN_METHODS)(object.signInMethod, `${path}.signInMethod`),
    extraAuthorizeParameters: optional(extraParameters)(object.extraAuthorizeParameters, `${path}.extraAuthorizeParameters`),
  });
};

/** Validates an {@link AddAccountRequest}. */
export const addAccountRequest: Validator<AddAccountRequest> = (value, path) => {
  const object = plainObject(value, path);
  onlyKeys(object, ['profileId', 'method', 'loginHint'], path);
  return defined<AddAccountRequest>({
    profileId: id(object.profileId, `${path}.profileId`),
    method: optional(oneOf(SIGN_IN_METHODS))(object.method, `${path}.method`),
    loginHint: optional(loginHint)(object.loginHint, `${path}.loginHint`),
  });
};

/** Validates a {@link TokenRequest}. */
export const tokenRequest: Validator<TokenRequest> = (value, path) => {
  const object = plainObject(value, path);
  onlyKeys(object, ['accountId', 'scopes'], path);
  return defined<TokenRequest>({
    accountId: id(object.accountId, `${path}.accountId`),
    scopes: optional(scopes({ min: 1 }))(object.scopes, `${path}.scopes`),
  });
};

/** Validates a {@link CopyTokenRequest}. */
export const copyTokenRequest: Validator<CopyTokenRequest> = (value, path) => {
  const object = plainObject(value, path);
  onlyKeys(object, ['accountId', 'scopes', 'format'], path);
  return defined<CopyTokenRequest>({
    accountId: id(object.accountId, `${path}.accountId`),
    scopes: optional(scopes({ min: 1 }))(object.scopes, `${path}.scopes`),
    format: oneOf(TOKEN_FORMATS)(object.format, `${path}.format`),
  });
};

/** Validates a settings patch: known keys only, each within its range; at least one key. */
export const settingsPatch: Validator<Partial<Settings>> = (value, path) => {
  const object = plainObject(value, path);
  onlyKeys(object, ['clipboardClearSeconds', 'defaultSignInMethod', 'linuxPasswordStore', 'allowWeakEncryption', 'autoRefreshLeadMinutes'], path);
  const patch = defined<Partial<Settings>>({
    clipboardClearSeconds: optional(integer(LIMITS.clipboardClearSeconds))(object.clipboardClearSeconds, `${path}.clipboardClearSeconds`),
    defaultSignInMethod: optional(oneOf(SIGN_IN_METHODS))(object.defaultSignInMethod, `${path}.defaultSignInMethod`),
    linuxPasswordStore: optional(oneOf(PASSWORD_STORES))(object.linuxPasswordStore, `${path}.linuxPasswordStore`),
    allowWeakEncryption: optional(boolean)(object.allowWeakEncryption, `${path}.allowWeakEncryption`),
    autoRefreshLeadMinutes: optional(integer(LIMITS.autoRefreshLeadMinutes))(object.autoRefreshLeadMinutes, `${path}.autoRefreshLeadMinutes`),
  });
  if (Object.keys(patch).length === 0) fail(path, 'must change at least one setting');
  return patch;
};

/** The validators of each method's parameters, in order. */
const PARAMETERS: { readonly [K in ApiMethodName]: readonly Validator<unknown>[] } = {
  getAppInfo: [],
  listPresets: [],
  listProfiles: [],
  validateProfile: [profileDraft],
  saveProfile: [profileDraft],
  deleteProfile: [id],
  listAccounts: [],
  addAccount: [addAccountRequest],
  cancelSignIn: [],
  reauthenticate: [id],
  removeAccount: [id],
  refreshAccount: [id],
  setPinned: [id, boolean],
  copyToken: [copyTokenRequest],
  revealToken: [tokenRequest],
  getSettings: [],
  updateSettings: [settingsPatch],
  getStorageStatus: [],
};

/** Parameter names used in messages, so a message says `request.accountId`, not `arg0.accountId`. */
const PARAMETER_NAMES: { readonly [K in ApiMethodName]: readonly string[] } = {
  getAppInfo: [],
  listPresets: [],
  listProfiles: [],
  validateProfile: ['draft'],
  saveProfile: ['draft'],
  deleteProfile: ['profileId'],
  listAccounts: [],
  addAccount: ['request'],
  cancelSignIn: [],
  reauthenticate: ['accountId'],
  removeAccount: ['accountId'],
  refreshAccount: ['accountId'],
  setPinned: ['accountId', 'pinned'],
  copyToken: ['request'],
  revealToken: ['request'],
  getSettings: [],
  updateSettings: ['patch'],
  getStorageStatus: [],
};

/** Whether `method` names an operation of the contract (own keys only: `constructor` is not one). */
export function isApiMethodName(method: unknown): method is ApiMethodName {
  return typeof method === 'string' && Object.prototype.hasOwnProperty.call(PARAMETERS, method);
}

/**
 * Validates the arguments of one call and returns clean copies, in order.
 *
 * The number of arguments must match exactly. Throws `InvalidArgumentError` (code
 * `invalid_argument`) for an unknown method or any argument that does not fit the contract; the
 * message names the parameter and the rule, never the offending value.
 */
export function validateArgs(method: string, args: readonly unknown[]): unknown[] {
  if (!isApiMethodName(method)) throw new InvalidArgumentError('Invalid argument: unknown operation.');
  if (!Array.isArray(args)) throw new InvalidArgumentError('Invalid argument: the arguments must be a list.');
  const validators = PARAMETERS[method];
  const names = PARAMETER_NAMES[method];
  if (args.length !== validators.length) {
    throw new InvalidArgumentError(`Invalid argument: ${method} takes ${validators.length} argument(s), got ${args.length}.`);
  }
  return validators.map((validate, index) => validate(args[index], names[index] ?? `argument ${index + 1}`));
}
