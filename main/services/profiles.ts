/**
 * Provider profiles: the presets offered when adding one, field validation, discovery checks, and
 * the (non-secret) list kept in the settings store.
 *
 * No first-party Microsoft client id is baked in: the user registers an app and supplies its id.
 */
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import {
  CLIENT_CREDENTIAL_KINDS,
  PRESET_IDS,
  RESERVED_AUTHORIZE_PARAMETERS,
  type ClientCredentialInfo,
  type PresetId,
  type ProfileDraft,
  type ProfileId,
  type ProfileValidation,
  type ProviderKind,
  type ProviderPreset,
  type ProviderProfile,
  type SignInMethod,
} from '../../preload/contract';
import { isUntrustedCertificate } from '../auth';
import { AppError, toAppError } from '../errors';
import type { KeyValueStore } from '../persistence/settings-store';

/** The settings-store key of the user's profiles. */
export const PROFILES_KEY = 'profiles';

/** The redirect URI Entra registers for embedded (native) sign-in windows. */
export const ENTRA_NATIVE_REDIRECT_URI = 'https://login.microsoftonline.com/common/oauth2/nativeclient';

/** The id of the built-in demo profile (a source checkout's local test provider). */
export const DEMO_PROFILE_ID = 'demo';

const RESERVED_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'offline_access']);
const RESERVED_PARAMETERS: ReadonlySet<string> = new Set(RESERVED_AUTHORIZE_PARAMETERS);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The presets of the "add profile" form, without the demo (see {@link listPresets}). */
export const PRESETS: readonly ProviderPreset[] = Object.freeze<ProviderPreset[]>([
  {
    id: 'entra',
    label: 'Microsoft Entra ID',
    kind: 'entra',
    authorityTemplate: 'https://login.microsoftonline.com/{tenant}',
    defaultScopes: ['User.Read'],
    signInMethod: 'embedded',
    note:
      'Register your own app as a public client ("Mobile and desktop applications") with the redirect URIs ' +
      `${ENTRA_NATIVE_REDIRECT_URI} (embedded window) and http://localhost (system browser). ` +
      'Use your tenant id or domain, or "organizations"/"common" for several tenants.',
  },
  {
    id: 'google',
    label: 'Google',
    kind: 'oidc',
    authorityTemplate: 'https://accounts.google.com',
    defaultScopes: ['email'],
    signInMethod: 'system-browser',
    // Google returns a refresh token only with access_type=offline, and again only with consent.
    extraAuthorizeParameters: { access_type: 'offline', prompt: 'consent' },
    note: 'Google blocks embedded sign-in windows: accounts sign in through the system browser. Use a "Desktop app" OAuth client.',
  },
  {
    id: 'okta',
    label: 'Okta',
    kind: 'oidc',
    authorityTemplate: 'https://{yourOktaDomain}/oauth2/default',
    defaultScopes: ['email'],
    signInMethod: 'system-browser',
    note: 'Create a "Native Application" with PKCE and the sign-in redirect URI http://127.0.0.1 (any port).',
  },
  {
    id: 'auth0',
    label: 'Auth0',
    kind: 'oidc',
    authorityTemplate: 'https://{yourTenant}.auth0.com/',
    defaultScopes: ['email'],
    signInMethod: 'system-browser',
    extraAuthorizeParameters: { audience: '{yourApiIdentifier}' },
    note: 'Set "audience" to your API identifier, or Auth0 issues an opaque token for its userinfo endpoint only.',
  },
  {
    id: 'keycloak',
    label: 'Keycloak',
    kind: 'oidc',
    authorityTemplate: 'https://{host}/realms/{realm}',
    defaultScopes: ['email'],
    signInMethod: 'system-browser',
    note: 'Use a public client with "Standard flow" and the valid redirect URI http://127.0.0.1/*.',
  },
  {
    id: 'custom-oidc',
    label: 'Other OpenID Connect provider',
    kind: 'oidc',
    authorityTemplate: 'https://{issuer}',
    defaultScopes: [],
    signInMethod: 'system-browser',
    note: 'Enter the issuer URL; its /.well-known/openid-configuration must be reachable.',
  },
]);

/** The presets to offer: the built-ins, plus the demo provider when it is available. */
export function listPresets(demoProfile: ProviderProfile | undefined): readonly ProviderPreset[] {
  if (!demoProfile) return PRESETS;
  const { id: _id, builtIn: _builtIn, preset: _preset, ...ready } = demoProfile;
  const demo: ProviderPreset = {
    id: 'demo',
    label: 'Local demo provider',
    kind: demoProfile.kind,
    authorityTemplate: demoProfile.authority,
    defaultScopes: demoProfile.defaultScopes,
    signInMethod: demoProfile.signInMethod,
    note: 'A test identity provider on this machine (source checkouts only). Users: alice@contoso.com / alice-password.',
    ready,
  };
  return [...PRESETS, demo];
}

/** The host of a profile's authority (shown while signing in, and as an OIDC account's tenant). */
export function authorityHost(profile: Pick<ProviderProfile, 'authority'>): string {
  try {
    return new URL(profile.authority).host;
  } catch {
    return profile.authority;
  }
}

/** Scopes that the auth core adds itself are dropped; the rest are kept, trimmed, in order. */
export function normaliseScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((s) => s.trim()).filter((s) => s !== '' && !RESERVED_SCOPES.has(s)))];
}

/**
 * Field-level checks that need meaning but no network: https authority, an Entra client id is a
 * GUID, reserved scopes and authorize parameters, redirect URI.
 *
 * `draft` arrives shaped by the boundary's schema (`main/boundary/schema.ts`: types, lengths,
 * scope syntax, option lists), so only what the schema cannot know is checked here.
 */
export function checkProfileFields(draft: ProfileDraft): ProfileValidation['fieldErrors'] {
  const errors: { -readonly [K in keyof ProfileValidation['fieldErrors']]: string } = {};
  const kind = draft.kind;

  if (kind === 'entra' && !GUID.test(draft.clientId.trim())) {
    errors.clientId = 'An Entra client id is a GUID like 00000000-0000-0000-0000-000000000000 (Application (client) ID in the portal).';
  }

  const authorityError = checkAuthority(draft.authority, kind);
  if (authorityError) errors.authority = authorityError;

  const reserved = draft.defaultScopes.filter((s) => RESERVED_SCOPES.has(s.trim()));
  if (reserved.length > 0) errors.defaultScopes = `Remove ${reserved.join(', ')}: openid, profile and offline_access are always added.`;

  if (draft.grant === 'app') {
    // The client-credentials grant names the resource in its scope (Entra: `<resource>/.default`).
    if (!errors.defaultScopes && normaliseScopes(draft.defaultScopes).length === 0) {
      errors.defaultScopes = kind === 'entra'
        ? 'An app identity needs the scope of the API it calls, for example https://graph.microsoft.com/.default.'
        : 'An app identity needs at least one scope of the API it calls.';
    }
    // Entra issues app-only tokens in one tenant: the multi-tenant aliases are for people.
    const tenant = kind === 'entra' && !errors.authority ? draft.authority.trim().replace(/\/+$/, '').split('/').pop()?.toLowerCase() : undefined;
    if (tenant === 'common' || tenant === 'organizations' || tenant === 'consumers') {
      errors.authority = `An app identity signs in to one tenant: use your tenant id or domain instead of "${tenant}".`;
    }
    Object.assign(errors, checkCredentialInfo(draft.clientAuth, true));
    return errors;
  }
  Object.assign(errors, checkCredentialInfo(draft.clientAuth, false));
  // Google profiles always use the system browser (see toProfile), whatever the draft says.
  const method = draft.preset === 'google' ? 'system-browser' : draft.signInMethod;
  const redirectError = checkRedirectUri(draft.redirectUri, kind, method);
  if (redirectError) errors.redirectUri = redirectError;
  return errors;
}

/** A certificate thumbprint: the SHA-1 digest in hex, colons allowed (as the auth core's `ClientAuthenticator` takes it). */
const THUMBPRINT = /^(?:[0-9a-f]{2}:?){19}[0-9a-f]{2}$/i;

function checkCredentialInfo(info: ClientCredentialInfo | undefined, required: boolean): ProfileValidation['fieldErrors'] {
  if (!info) return required ? { clientSecret: 'An app identity needs a client secret or a certificate.' } : {};
  if (info.kind === 'certificate' && !THUMBPRINT.test((info.thumbprint ?? '').trim())) {
    return { thumbprint: 'Enter the certificate thumbprint: 40 hexadecimal characters (the SHA-1 "Thumbprint" shown where the certificate was uploaded).' };
  }
  return {};
}

/**
 * What is wrong with a profile's credential material, given what is saved for it: a missing
 * secret or key, or a private key that is not a readable PEM key. `{}` when fine.
 */
export function checkSecretFields(draft: ProfileDraft, saved: 'secret' | 'certificate' | undefined): ProfileValidation['fieldErrors'] {
  const info = draft.clientAuth;
  if (!info) return {};
  if (info.kind === 'secret') {
    if (draft.clientSecret !== undefined && draft.clientSecret.trim() === '') return { clientSecret: 'Enter the client secret.' };
    if (draft.clientSecret === undefined && saved !== 'secret') return { clientSecret: 'Enter the client secret (its value, not its id).' };
    return {};
  }
  if (draft.privateKey === undefined) return saved === 'certificate' ? {} : { privateKey: 'Paste the private key of the certificate (PEM, starting with -----BEGIN PRIVATE KEY-----).' };
  const problem = privateKeyProblem(draft.privateKey);
  return problem ? { privateKey: problem } : {};
}

function privateKeyProblem(pem: string): string | undefined {
  if (!/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) return 'This is not a PEM private key: it must start with -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY).';
  if (pem.includes('ENCRYPTED PRIVATE KEY')) return 'This private key is protected by a passphrase; export it without one (for example: openssl pkcs8 -topk8 -nocrypt).';
  let type: string | undefined;
  try {
    // Same reader as the auth core's ClientAuthenticator, so a key accepted here signs there.
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    return 'This private key could not be read; paste the whole PEM block, including its BEGIN and END lines.';
  }
  // The auth core signs client assertions with RS256 (main/auth/client-credential.ts), as Entra expects.
  if (type !== 'rsa') return 'This is not an RSA key. App certificates need an RSA key (Entra accepts only those); create the certificate with an RSA key.';
  return undefined;
}

/**
 * What is wrong with a custom CA file, in plain words, or `undefined`: the path must be absolute,
 * the file readable, and hold at least one PEM certificate.
 */
export function checkCaFile(path: string): string | undefined {
  const file = path.trim();
  if (!isAbsolute(file)) return 'Enter the full path of the CA certificate file (a PEM file), for example /etc/ssl/certs/company-ca.pem.';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return 'There is no file at this path. Check the path of the CA certificate file.';
    if (code === 'EACCES' || code === 'EPERM') return 'Tessera may not read this file. Check its permissions.';
    if (code === 'EISDIR') return 'This is a folder. Enter the path of the CA certificate file inside it.';
    return 'This file could not be read. Check the path of the CA certificate file.';
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'This file holds no certificate. Choose a PEM file with -----BEGIN CERTIFICATE----- in it (export the CA as "Base-64 encoded X.509").';
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    return 'A certificate in this file is damaged and cannot be read. Export the CA certificate again as PEM.';
  }
  return undefined;
}

function checkAuthority(value: string, kind: ProviderKind): string | undefined {
  if (/[{}]/.test(value)) return 'Replace the {placeholders} in the URL with your values.';
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'This is not a valid URL.';
  }
  if (url.protocol !== 'https:') return 'The authority must use https.';
  if (url.username || url.password || url.search || url.hash) return 'The URL must not contain a user name, query or fragment.';
  if (kind === 'entra') {
    const segments = url.pathname.split('/').filter((s) => s !== '');
    if (segments.length !== 1) {
      return 'An Entra authority is https://<host>/<tenant>, where tenant is a tenant id, a domain, "organizations" or "common".';
    }
  }
  return undefined;
}

function checkRedirectUri(value: string | undefined, kind: ProviderKind, method: SignInMethod): string | undefined {
  if (value === undefined || value === '') {
    // Entra's native-client URI is the default for embedded windows; others must say theirs.
    if (method === 'embedded' && kind !== 'entra') return 'The embedded window needs the redirect URI registered for your app.';
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'The redirect URI is not a valid absolute URL.';
  }
  if (url.hash) return 'A redirect URI must not contain a fragment.';
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return undefined;
  // RFC 8252 §7.1: private-use schemes are reverse domain names, e.g. com.example.app:/callback.
  if (!/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/i.test(url.protocol)) {
    return 'Use https, http://127.0.0.1 or a private-use scheme such as com.example.app:/callback.';
  }
  return undefined;
}

/** Discovers a profile's authority; resolves with the issuer or rejects with the auth core's error. */
export type DiscoverAuthority = (profile: ProviderProfile) => Promise<{ readonly issuer: string }>;

/**
 * Checks the fields, then that discovery works, through the auth core's authority discovery.
 *
 * A discovery failure is reported on the `authority` field with the auth core's explanation.
 */
export async function validateProfile(
  draft: ProfileDraft,
  discover: DiscoverAuthority,
  savedCredential?: 'secret' | 'certificate',
): Promise<ProfileValidation> {
  const fieldErrors = { ...checkProfileFields(draft), ...checkSecretFields(draft, savedCredential) };
  const caProblem = draft.caFile?.trim() ? checkCaFile(draft.caFile) : undefined;
  if (caProblem) fieldErrors.caFile = caProblem;
  if (fieldErrors.authority || fieldErrors.clientId || fieldErrors.caFile) return { valid: false, fieldErrors };
  const profile = toProfile(draft, 'validation');
  try {
    const { issuer } = await discover(profile);
    return { valid: Object.keys(fieldErrors).length === 0, fieldErrors, issuer };
  } catch (error) {
    // An untrusted certificate is fixed in the CA field, not by changing the URL.
    if (isUntrustedCertificate(error)) return { valid: false, fieldErrors: { ...fieldErrors, caFile: untrustedCertificateAdvice(profile, draft.caFile) } };
    return { valid: false, fieldErrors: { ...fieldErrors, authority: toAppError(error).message } };
  }
}

/** What to do when the provider's TLS certificate is not trusted, pointing at the profile's CA field. */
export function untrustedCertificateAdvice(profile: Pick<ProviderProfile, 'authority'>, caFile: string | undefined): string {
  const host = authorityHost(profile);
  return caFile?.trim()
    ? `The certificate of ${host} is not issued by the CA in this file. Choose the CA certificate that issued it (ask your IT team or lab admin for it as a PEM file).`
    : `The certificate of ${host} is not trusted by this computer. If it is a company or lab provider, choose its CA certificate (a PEM file) in "Custom CA certificate".`;
}

/** A draft as a profile with `id`, normalised (trimmed fields, reserved scopes dropped, Google's rules). */
export function toProfile(draft: ProfileDraft, id: ProfileId): ProviderProfile {
  // Stored profiles are not parsed by the boundary's schema: an older file may hold anything.
  const preset: PresetId = (PRESET_IDS as readonly string[]).includes(draft.preset) ? draft.preset : 'custom-oidc';
  const kind: ProviderKind = draft.kind === 'entra' ? 'entra' : 'oidc';
  // Google refuses embedded user agents (disallowed_useragent), so its profiles never use one.
  const signInMethod: SignInMethod = preset === 'google' ? 'system-browser' : draft.signInMethod === 'system-browser' || draft.signInMethod === 'device-code' ? draft.signInMethod : 'embedded';
  const redirectUri = draft.redirectUri?.trim() || (kind === 'entra' ? ENTRA_NATIVE_REDIRECT_URI : undefined);
  const extra = draft.extraAuthorizeParameters ? sanitiseParameters(draft.extraAuthorizeParameters) : undefined;
  const clientAuth = credentialInfo(draft.clientAuth);
  const caFile = typeof draft.caFile === 'string' && draft.caFile.trim() !== '' ? draft.caFile.trim() : undefined;
  return Object.freeze({
    id,
    name: draft.name.trim(),
    kind,
    preset,
    clientId: draft.clientId.trim(),
    authority: draft.authority.trim(),
    defaultScopes: Object.freeze(normaliseScopes(draft.defaultScopes)),
    signInMethod,
    ...(redirectUri ? { redirectUri } : {}),
    ...(extra && Object.keys(extra).length > 0 ? { extraAuthorizeParameters: Object.freeze(extra) } : {}),
    ...(draft.grant === 'app' ? { grant: 'app' as const } : {}),
    ...(clientAuth ? { clientAuth } : {}),
    ...(caFile ? { caFile } : {}),
    ...(draft.demoProvider === true ? { demoProvider: true } : {}),
  });
}

// The public part only: `saved` is computed when listing, secrets never reach a profile.
function credentialInfo(info: ClientCredentialInfo | undefined): ClientCredentialInfo | undefined {
  if (!info || !(CLIENT_CREDENTIAL_KINDS as readonly string[]).includes(info.kind)) return undefined;
  if (info.kind === 'secret') return Object.freeze({ kind: 'secret' as const });
  return Object.freeze({ kind: 'certificate' as const, thumbprint: (info.thumbprint ?? '').trim().replace(/:/g, '').toLowerCase() });
}

function sanitiseParameters(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    // Reserved names are dropped here too: profiles saved by an older version may carry them.
    if (typeof value === 'string' && value !== '' && !RESERVED_PARAMETERS.has(key)) out[key] = value;
  }
  return out;
}

/** The demo provider's profile as a host supplies it; the registry sets its id, preset and `builtIn`. */
export type DemoProfileFields = Omit<ProviderProfile, 'id' | 'preset' | 'builtIn'> & Partial<Pick<ProviderProfile, 'id' | 'preset'>>;

/**
 * The user's profiles in the settings store, plus the built-in demo profile when present.
 *
 * The demo provider listens on a new port at every start (main/browser-host/run.ts), so a saved
 * profile that points at it (a copy of the demo profile) is marked `demoProvider` when saved and
 * its authority is moved to the demo provider's current origin when loaded (issue 9).
 */
export class ProfileRegistry {
  readonly #store: KeyValueStore;
  readonly #demo: ProviderProfile | undefined;
  readonly #demoOrigin: string | undefined;
  #profiles: ProviderProfile[];

  constructor(store: KeyValueStore, demo: DemoProfileFields | undefined) {
    this.#store = store;
    this.#demo = demo ? Object.freeze({ ...demo, id: DEMO_PROFILE_ID, preset: 'demo', builtIn: true }) : undefined;
    this.#demoOrigin = demo ? originOf(demo.authority) : undefined;
    const raw = store.get(PROFILES_KEY);
    this.#profiles = Array.isArray(raw) ? raw.filter(isStoredProfile).map((p) => this.#rehome(toProfile(p, p.id))) : [];
  }

  /** Every profile: the demo first (when available), then the user's. */
  list(): readonly ProviderProfile[] {
    return this.#demo ? [this.#demo, ...this.#profiles] : [...this.#profiles];
  }

  /** The profile, or `undefined`. */
  find(id: ProfileId): ProviderProfile | undefined {
    // Called once per account for every list view: no copy of the list.
    return this.#demo?.id === id ? this.#demo : this.#profiles.find((p) => p.id === id);
  }

  /** The profile; throws `not_found`. */
  get(id: ProfileId): ProviderProfile {
    const profile = this.find(id);
    if (!profile) throw new AppError('not_found', 'This provider profile no longer exists.');
    return profile;
  }

  /** Creates or replaces a profile after field validation; throws `invalid_profile` with the first problem. */
  save(d: ProfileDraft): ProviderProfile {
    const errors = checkProfileFields(d);
    const first = Object.values(errors)[0];
    if (first) throw new AppError('invalid_profile', first);
    const reserved = Object.keys(d.extraAuthorizeParameters ?? {}).find((key) => RESERVED_PARAMETERS.has(key));
    if (reserved) throw new AppError('invalid_profile', `The extra sign-in parameter "${reserved}" is set by Tessera for every sign-in; remove it.`);
    if (d.id === DEMO_PROFILE_ID || d.preset === 'demo') throw new AppError('builtin_profile', 'The demo profile is built in and cannot be changed.');
    const id = typeof d.id === 'string' && d.id !== '' ? d.id : `p-${randomUUID()}`;
    if (typeof d.id === 'string' && d.id !== '' && !this.#profiles.some((p) => p.id === d.id)) {
      throw new AppError('not_found', 'This provider profile no longer exists.');
    }
    const previous = this.#profiles.find((p) => p.id === id);
    // Kept while the demo is off (--no-demo) and the address was not changed.
    const onDemo = (this.#demoOrigin !== undefined && originOf(d.authority) === this.#demoOrigin) || (previous?.demoProvider === true && previous.authority === d.authority.trim());
    const profile = toProfile({ ...d, demoProvider: onDemo }, id);
    const next = this.#profiles.some((p) => p.id === id) ? this.#profiles.map((p) => (p.id === id ? profile : p)) : [...this.#profiles, profile];
    this.#write(next);
    return profile;
  }

  /** Deletes a user profile; the demo cannot be deleted. */
  delete(id: ProfileId): void {
    if (this.#demo && id === this.#demo.id) throw new AppError('builtin_profile', 'The demo profile is built in and cannot be deleted.');
    if (!this.#profiles.some((p) => p.id === id)) throw new AppError('not_found', 'This provider profile no longer exists.');
    this.#write(this.#profiles.filter((p) => p.id !== id));
  }

  #write(next: ProviderProfile[]): void {
    this.#store.set(PROFILES_KEY, next);
    this.#profiles = next;
  }

  /** A demo-provider profile with its authority moved to the demo provider's current origin. */
  #rehome(profile: ProviderProfile): ProviderProfile {
    if (!profile.demoProvider || this.#demoOrigin === undefined) return profile;
    const origin = originOf(profile.authority);
    if (origin === undefined || origin === this.#demoOrigin) return profile;
    return Object.freeze({ ...profile, authority: this.#demoOrigin + profile.authority.trim().slice(origin.length) });
  }
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url.trim()).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function isStoredProfile(value: unknown): value is ProviderProfile {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p['id'] === 'string' &&
    typeof p['name'] === 'string' &&
    typeof p['clientId'] === 'string' &&
    typeof p['authority'] === 'string' &&
    Array.isArray(p['defaultScopes'])
  );
}
