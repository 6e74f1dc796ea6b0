/**
 * The one declaration of every contract method's arguments (valibot), used by every entry point:
 * the Electron IPC handler and the browser-mode HTTP API (through `dispatch.ts`), and the
 * command-line bridge's socket requests.
 *
 * Arguments reach main as `unknown` (over IPC from a renderer that may be compromised, over HTTP,
 * over a local socket), so each one is checked here against the shape the contract promises, and
 * the services take typed values. Checks are about shape and size (types, lengths, option lists,
 * ranges, unknown keys); rules that need meaning (a GUID client id for Entra, reserved authorize
 * parameters, discovery) stay in the services, which report them as profile field errors.
 *
 * Limits and option lists come from `preload/contract.ts`, so the UI uses the same numbers.
 * Messages name the field in words a user knows ("Profile name must not be empty") and never
 * echo the received value: it may be a token pasted into the wrong field.
 *
 * Adding a schema: declare it with the helpers below (`text`, `oneOf`, `wholeNumber`, `record`,
 * …) giving each field its user-facing label, then parse with {@link parseWith} (throws
 * `AppError('invalid_argument')`). A new contract method adds its argument tuple to
 * {@link METHOD_ARGUMENTS}; the compiler checks it against `ApiMethods`.
 */
import * as v from 'valibot';
import {
  BRIDGE_INTEGRATIONS,
  BRIDGE_PROTOCOL_VERSION,
  CLIENT_CREDENTIAL_KINDS,
  CONSENT_CHOICES,
  DEVICE_CODE_PARTS,
  CREDENTIAL_LIMITS,
  LIMITS,
  LINUX_PASSWORD_STORES,
  PRESET_IDS,
  PROFILE_GRANTS,
  PROVIDER_KINDS,
  SIGN_IN_METHODS,
  TOKEN_FORMATS,
  type ApiMethodName,
  type ApiMethods,
} from '../../preload/contract';
import { AppError } from '../errors';

/**
 * Ids: letters, digits and a few separators, starting with a letter or digit.
 *
 * Wide enough for UUIDs, MSAL home account ids (`<oid>.<tid>`) and environment-qualified keys
 * (`…|login.microsoftonline.com`); no slash, whitespace or control characters.
 */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@|~+=-]*$/;

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** RFC 6749 §2.2 leaves the client id's form to the provider; we take printable ASCII without spaces. */
const CLIENT_ID_PATTERN = /^[\x21-\x7E]+$/;

/** Authorize parameter names: plain tokens only. */
const PARAMETER_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** Control characters (C0, DEL, C1): never valid in names, URLs or hints. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/;

/** Options of {@link text}. */
interface TextRule {
  readonly max: number;
  /** Default 1; 0 allows an empty string. */
  readonly min?: number;
  readonly pattern?: RegExp;
  /** What the pattern asks for, as the end of a sentence ("must be a scope without spaces"). */
  readonly patternRule?: string;
}

/** A string field called `label` in messages: type, length, no control characters, optional pattern. */
export function text(label: string, rule: TextRule) {
  const min = rule.min ?? 1;
  return v.pipe(
    v.string(`${label} must be text.`),
    v.minLength(min, min === 1 ? `${label} must not be empty.` : `${label} must have at least ${min} characters.`),
    v.check((value) => min === 0 || value.trim() !== '', `${label} must not be empty.`),
    v.maxLength(rule.max, `${label} must have at most ${rule.max} characters.`),
    v.check((value) => !CONTROL_CHARACTERS.test(value), `${label} must not contain control characters.`),
    v.check((value) => !rule.pattern || rule.pattern.test(value), `${label} ${rule.patternRule ?? 'has an invalid format'}.`),
  );
}

/** One of `options`, called `label` in messages. */
export function oneOf<const T extends readonly [string, ...string[]]>(label: string, options: T) {
  return v.picklist(options, `${label} must be one of ${options.join(', ')}.`);
}

/** `true` or `false`, called `label` in messages. */
export function yesNo(label: string) {
  return v.boolean(`${label} must be true or false.`);
}

/** A whole number within `range`, called `label` in messages. */
export function wholeNumber(label: string, range: { readonly min: number; readonly max: number }) {
  return v.pipe(
    v.number(`${label} must be a whole number.`),
    v.integer(`${label} must be a whole number.`),
    v.minValue(range.min, `${label} must be between ${range.min} and ${range.max}.`),
    v.maxValue(range.max, `${label} must be between ${range.min} and ${range.max}.`),
  );
}

/** An id, called `label` in messages. */
export function id(label: string) {
  return text(label, { max: LIMITS.idLength, pattern: ID_PATTERN, patternRule: 'must be an id (letters, digits and . _ : @ | ~ + = -)' });
}

/** A list of scopes, called `label` in messages; `min` 1 when an empty list makes no sense. */
export function scopeList(label: string, options: { readonly min: number }) {
  return v.pipe(
    v.array(text(`Each scope in ${label.toLowerCase()}`, { max: LIMITS.scopeLength, pattern: SCOPE_PATTERN, patternRule: 'must be a scope without spaces, quotes or backslashes' }), `${label} must be a list of scopes.`),
    v.minLength(options.min, `${label} must contain at least one scope.`),
    v.maxLength(LIMITS.scopeCount, `${label} must contain at most ${LIMITS.scopeCount} scopes.`),
  );
}

/**
 * An object with exactly these fields, called `label` in messages, each field with its own label
 * for the "is missing" message. Only plain objects (what structured clone and `JSON.parse` give)
 * pass; unknown keys (a typo, an injected `builtIn` or `__proto__`) are refused, and the result is
 * a fresh object with the known keys only.
 */
export function record<const E extends v.ObjectEntries>(label: string, entries: E, fieldLabels: { readonly [K in keyof E]: string }) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject, `${label} must be an object.`),
    v.strictObject(entries, (issue) => {
      const key = issue.path?.[issue.path.length - 1]?.key;
      if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(fieldLabels, key)) return `${fieldLabels[key as keyof E]} is missing.`;
      return `${label} has a field Tessera does not know${typeof key === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,23}$/.test(key) ? ` ("${key}")` : ''}.`;
    }),
  );
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const url = (label: string) => text(label, { max: LIMITS.urlLength });

const extraParameters = v.pipe(
  v.custom<Record<string, unknown>>(isPlainObject, 'Extra sign-in parameters must be an object.'),
  v.record(
    text('Each extra sign-in parameter name', { max: LIMITS.extraParameterKeyLength, pattern: PARAMETER_NAME_PATTERN, patternRule: 'must be a plain token (letters, digits, _ . -)' }),
    text('Each extra sign-in parameter value', { min: 0, max: LIMITS.extraParameterValueLength }),
    'Extra sign-in parameters must be an object.',
  ),
  v.check((value) => Object.keys(value).length <= LIMITS.extraParameterCount, `Extra sign-in parameters must have at most ${LIMITS.extraParameterCount} entries.`),
);

/**
 * A PEM private key: printable text with line breaks (the one field that may hold them), within
 * its size limit. Whether it is a readable key is checked by the services.
 */
const pemText = (label: string) =>
  v.pipe(
    v.string(`${label} must be text.`),
    v.check((value) => value.trim() !== '', `${label} must not be empty.`),
    v.maxLength(CREDENTIAL_LIMITS.privateKeyLength, `${label} must have at most ${CREDENTIAL_LIMITS.privateKeyLength} characters.`),
    // eslint-disable-next-line no-control-regex
    v.check((value) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(value), `${label} must be the text of a PEM file.`),
  );

/** A profile's client credential (public part). `saved` is what main reported; it is ignored on the way in. */
const clientAuthSchema = record(
  'The client credential',
  {
    kind: oneOf('Client credential kind', CLIENT_CREDENTIAL_KINDS),
    thumbprint: v.optional(text('Certificate thumbprint', { max: 128 })),
    saved: v.optional(yesNo('Secret saved')),
  },
  { kind: 'Client credential kind', thumbprint: 'Certificate thumbprint', saved: 'Secret saved' },
);

/** A {@link ProfileDraft} (shape only; `validateProfile` in the services checks meaning). */
export const profileDraftSchema = record(
  'The profile',
  {
    id: v.optional(id('Profile id')),
    name: text('Profile name', { max: LIMITS.nameLength }),
    kind: oneOf('Provider kind', PROVIDER_KINDS),
    preset: oneOf('Preset', PRESET_IDS),
    clientId: text('Client id', { max: LIMITS.clientIdLength, pattern: CLIENT_ID_PATTERN, patternRule: 'must not contain spaces (printable characters only)' }),
    authority: url('Authority URL'),
    defaultScopes: scopeList('Default scopes', { min: 0 }),
    redirectUri: v.optional(url('Redirect URI')),
    signInMethod: oneOf('Sign-in method', SIGN_IN_METHODS),
    extraAuthorizeParameters: v.optional(extraParameters),
    grant: v.optional(oneOf('Profile kind', PROFILE_GRANTS)),
    clientAuth: v.optional(clientAuthSchema),
    clientSecret: v.optional(text('Client secret', { max: CREDENTIAL_LIMITS.clientSecretLength })),
    privateKey: v.optional(pemText('Private key')),
    caFile: v.optional(text('Custom CA certificate', { min: 0, max: CREDENTIAL_LIMITS.filePathLength })),
    demoProvider: v.optional(yesNo('Demo provider')),
  },
  {
    id: 'Profile id',
    name: 'Profile name',
    kind: 'Provider kind',
    preset: 'Preset',
    clientId: 'Client id',
    authority: 'Authority URL',
    defaultScopes: 'Default scopes',
    redirectUri: 'Redirect URI',
    signInMethod: 'Sign-in method',
    extraAuthorizeParameters: 'Extra sign-in parameters',
    grant: 'Profile kind',
    clientAuth: 'Client credential',
    clientSecret: 'Client secret',
    privateKey: 'Private key',
    caFile: 'Custom CA certificate',
    demoProvider: 'Demo provider',
  },
);

/** An {@link AddAccountRequest}. */
export const addAccountSchema = record(
  'The sign-in request',
  {
    profileId: id('Provider profile'),
    method: v.optional(oneOf('Sign-in method', SIGN_IN_METHODS)),
    loginHint: v.optional(text('Login hint', { max: LIMITS.loginHintLength })),
  },
  { profileId: 'Provider profile', method: 'Sign-in method', loginHint: 'Login hint' },
);

/** A {@link TokenRequest}. */
export const tokenRequestSchema = record(
  'The token request',
  { accountId: id('Account'), scopes: v.optional(scopeList('Scopes', { min: 1 })) },
  { accountId: 'Account', scopes: 'Scopes' },
);

/** A {@link CopyTokenRequest}. */
export const copyTokenSchema = record(
  'The copy request',
  { accountId: id('Account'), scopes: v.optional(scopeList('Scopes', { min: 1 })), format: oneOf('Token format', TOKEN_FORMATS) },
  { accountId: 'Account', scopes: 'Scopes', format: 'Token format' },
);

/** An {@link IdTokenRequest}. */
export const idTokenRequestSchema = record(
  'The ID token request',
  { accountId: id('Account'), raw: v.optional(yesNo('Show the raw token')) },
  { accountId: 'Account', raw: 'Show the raw token' },
);

/** A settings patch: known keys only, each within its range, at least one. */
export const settingsPatchSchema = v.pipe(
  record(
    'The settings change',
    {
      clipboardClearSeconds: v.optional(wholeNumber('Clipboard clear time (seconds)', LIMITS.clipboardClearSeconds)),
      defaultSignInMethod: v.optional(oneOf('Default sign-in method', SIGN_IN_METHODS)),
      linuxPasswordStore: v.optional(oneOf('Password store', LINUX_PASSWORD_STORES)),
      allowWeakEncryption: v.optional(yesNo('Allow weak encryption')),
      autoRefreshLeadMinutes: v.optional(wholeNumber('Auto-refresh lead time (minutes)', LIMITS.autoRefreshLeadMinutes)),
    },
    {
      clipboardClearSeconds: 'Clipboard clear time',
      defaultSignInMethod: 'Default sign-in method',
      linuxPasswordStore: 'Password store',
      allowWeakEncryption: 'Allow weak encryption',
      autoRefreshLeadMinutes: 'Auto-refresh lead time',
    },
  ),
  v.check((patch) => Object.values(patch).some((value) => value !== undefined), 'The settings change must change at least one setting.'),
);

// The count first: a missing argument is "takes 2 arguments", not "Pinned must be true or false".
const tuple = <const T extends v.TupleItems>(items: T) => {
  const message = `This operation takes ${items.length} argument${items.length === 1 ? '' : 's'}.`;
  return v.pipe(v.array(v.unknown(), 'The arguments must be a list.'), v.length(items.length, message), v.strictTuple(items, message));
};

/** The arguments of each contract method, in order; the compiler checks each against `ApiMethods`. */
export const METHOD_ARGUMENTS = {
  getAppInfo: tuple([]),
  listPresets: tuple([]),
  listProfiles: tuple([]),
  validateProfile: tuple([profileDraftSchema]),
  saveProfile: tuple([profileDraftSchema]),
  deleteProfile: tuple([id('Provider profile')]),
  listAccounts: tuple([]),
  addAccount: tuple([addAccountSchema]),
  cancelSignIn: tuple([]),
  copyDeviceCode: tuple([oneOf('Part of the device code', DEVICE_CODE_PARTS)]),
  reauthenticate: tuple([id('Account')]),
  signInForScopes: tuple([id('Account'), scopeList('Scopes', { min: 1 })]),
  removeAccount: tuple([id('Account')]),
  refreshAccount: tuple([id('Account')]),
  setPinned: tuple([id('Account'), yesNo('Pinned')]),
  copyToken: tuple([copyTokenSchema]),
  revealToken: tuple([tokenRequestSchema]),
  getIdToken: tuple([idTokenRequestSchema]),
  getSettings: tuple([]),
  updateSettings: tuple([settingsPatchSchema]),
  getStorageStatus: tuple([]),
  getBridgeStatus: tuple([]),
  listConsentPrompts: tuple([]),
  answerConsent: tuple([id('Token request'), oneOf('Answer', CONSENT_CHOICES)]),
  listStandingRules: tuple([]),
  revokeStandingRule: tuple([id('Standing rule')]),
  listActivity: tuple([]),
  setDefaultAccount: tuple([v.nullable(id('Account'))]),
  installCommandLineTool: tuple([]),
} as const satisfies { readonly [K in ApiMethodName]: v.GenericSchema<unknown, Parameters<ApiMethods[K]>> };

/** Whether `method` names an operation of the contract (own keys only: `constructor` is not one). */
export function isApiMethodName(method: unknown): method is ApiMethodName {
  return typeof method === 'string' && Object.prototype.hasOwnProperty.call(METHOD_ARGUMENTS, method);
}

/**
 * `value` parsed by `schema`: a fresh, typed copy; throws `AppError('invalid_argument')` with the
 * first problem's message (which names the field, never the value).
 */
export function parseWith<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  throw new AppError('invalid_argument', result.issues[0]?.message ?? 'The request is not valid.');
}

/** The validated arguments of one call of `method`, in order. */
export function parseArguments<M extends ApiMethodName>(method: M, args: unknown): Parameters<ApiMethods[M]> {
  if (!Array.isArray(args)) throw new AppError('invalid_argument', 'The arguments must be a list.');
  return parseWith(METHOD_ARGUMENTS[method], args) as Parameters<ApiMethods[M]>;
}

/** Version of the bridge's line protocol (defined in the contract, which the command shares). */
export { BRIDGE_PROTOCOL_VERSION };

// ---------------------------------------------------------------------------------------------
// The token bridge's socket requests (`main/bridge/protocol.ts`): one JSON line per request from
// the `tessera` command. Same rules as above; refusals name the field, never the value.

const BRIDGE_ACCOUNT_LENGTH = 320;
// Control characters never belong in what a caller reports about itself (they could rewrite the prompt).
// eslint-disable-next-line no-control-regex
const BRIDGE_NO_CONTROL = /^[^\u0000-\u001F\u007F-\u009F]*$/;

const callerText = (max: number) => v.pipe(v.string(), v.maxLength(max), v.regex(BRIDGE_NO_CONTROL));
const processId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31));


/**
 * What a caller says about itself. Reported by the caller: a process of the same user can lie,
 * so the app shows it as such and never treats it as proof.
 */
export const bridgeCallerSchema = v.strictObject({
  /** The program that ran the command (e.g. `bash`, `make`, `python3`), or the name given with `--program`. */
  program: v.pipe(callerText(128), v.minLength(1)),
  /** Its command line, shortened. */
  command: v.optional(callerText(512)),
  pid: v.optional(processId),
  /** The program's own parent (e.g. `sshd`, `tmux`, `code`). */
  parentProgram: v.optional(callerText(128)),
  /** The controlling terminal (`/dev/pts/3`); absent for CI jobs, editors and services. */
  tty: v.optional(callerText(128)),
  /** The terminal session (the session leader's process id); with `tty` it names one terminal session. */
  terminalSession: v.optional(callerText(64)),
  cwd: v.optional(callerText(1024)),
  integration: v.picklist(BRIDGE_INTEGRATIONS),
});
/** What a caller reports about itself. */
export type BridgeCallerInfo = v.InferOutput<typeof bridgeCallerSchema>;

/** `token` parameters. */
export const bridgeTokenParamsSchema = v.strictObject({
  /** A username, an account id or `profile:username`; absent means the default account. */
  account: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(BRIDGE_ACCOUNT_LENGTH), v.regex(BRIDGE_NO_CONTROL))),
  scopes: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(LIMITS.scopeLength), v.regex(SCOPE_PATTERN))), v.maxLength(LIMITS.scopeCount))),
  /** A resource URI; asks for `<resource>/.default`. */
  resource: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.urlLength), v.url())),
  /** Refresh when the cached token expires sooner than this (oidc-token's `--time`). */
  minValidSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(86_400))),
  forceRefresh: v.optional(v.boolean()),
  withIdToken: v.optional(v.boolean()),
  /** Start the sign-in in the app when the account needs one, and wait for it. */
  interactive: v.optional(v.boolean()),
});
/** `token` parameters. */
export type BridgeTokenParams = v.InferOutput<typeof bridgeTokenParamsSchema>;

const EmptyParams = v.optional(v.strictObject({}), {});

/** One request line. */
export const bridgeRequestSchema = v.variant('method', [
  v.strictObject({ v: v.literal(BRIDGE_PROTOCOL_VERSION), id: v.pipe(v.number(), v.integer(), v.minValue(0)), method: v.literal('status'), params: EmptyParams, caller: bridgeCallerSchema }),
  v.strictObject({ v: v.literal(BRIDGE_PROTOCOL_VERSION), id: v.pipe(v.number(), v.integer(), v.minValue(0)), method: v.literal('accounts'), params: EmptyParams, caller: bridgeCallerSchema }),
  v.strictObject({ v: v.literal(BRIDGE_PROTOCOL_VERSION), id: v.pipe(v.number(), v.integer(), v.minValue(0)), method: v.literal('token'), params: bridgeTokenParamsSchema, caller: bridgeCallerSchema }),
]);
