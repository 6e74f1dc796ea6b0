/**
 * Creates a provider profile from a preset: Entra tenant, or an OIDC issuer with client id and scopes.
 *
 * Main validates it (fields well-formed, discovery reachable) before it is saved; its field errors
 * appear next to their fields.
 */
import { useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { LIMITS, RESERVED_AUTHORIZE_PARAMETERS, type PresetId, type ProfileDraft, type ProfileValidation, type ProviderPreset, type ProviderProfile, type SignInMethod } from '../../preload/contract';
import { parseScopes } from '../common/format';
import { useAppStore } from '../store';
import { Field } from './field';
import { SignInMethodChoice, usableMethod } from './sign-in-method-choice';
import { CaFileField, CredentialFields, credentialDraft, GrantChoice, initialCredentials, type CredentialState } from './credential-fields';

type FieldName = keyof ProfileValidation['fieldErrors'];

/** Props of {@link ProfileForm}. */
export interface ProfileFormProps {
  readonly onSaved: (profile: ProviderProfile) => void;
  readonly onCancel: () => void;
  /** Browser mode has no embedded window. */
  readonly embeddedAvailable: boolean;
  /** Edit this profile (saved under its id), or start a new one from a copy of it. */
  readonly initial?: { readonly profile: ProviderProfile; readonly mode: 'edit' | 'duplicate' };
}

const RESERVED_PARAMETERS: ReadonlySet<string> = new Set(RESERVED_AUTHORIZE_PARAMETERS);

const DISCOVERY_SUFFIX = /\/\.well-known\/openid-configuration\/?$/;

/**
 * The issuer for a pasted URL: the discovery document's address
 * (`…/.well-known/openid-configuration`, OpenID Connect Discovery §4) is cut back to its issuer.
 */
export function issuerFromInput(text: string): string {
  return text.trim().replace(DISCOVERY_SUFFIX, '');
}

/** One row of the "extra authorize parameters" list. */
export interface ParameterRow {
  readonly key: number;
  readonly name: string;
  readonly value: string;
}

/** What is wrong with a parameter row, in plain words, or undefined. */
export function parameterProblem(row: Pick<ParameterRow, 'name' | 'value'>): string | undefined {
  const name = row.name.trim();
  if (!name) return row.value.trim() ? 'Give this parameter a name.' : undefined;
  if (RESERVED_PARAMETERS.has(name)) return `Tessera sets "${name}" on every sign-in; remove this row.`;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return 'Use letters, digits, "_", "." or "-" for the name (at most 64).';
  if (!row.value.trim()) return `Enter a value for "${name}", or remove the row.`;
  if (/^\{[^}]*\}$/.test(row.value.trim())) return `Replace ${row.value.trim()} with the real value.`;
  return undefined;
}

// Entra's `https://login.microsoftonline.com/{tenant}` asks only for the tenant; every other
// template is edited as a whole URL (Keycloak has two placeholders, custom issuers are free-form).
function tenantOnly(template: string): boolean {
  return (template.match(/\{[^}]+\}/g) ?? []).length === 1 && template.endsWith('/{tenant}');
}

// The URL field starts from the template, unless the template is nothing but a placeholder.
function initialAuthority(template: string): string {
  return /^https:\/\/\{[^}]+\}\/?$/.test(template) ? '' : template;
}

/** The "new profile" form. */
export function ProfileForm({ onSaved, onCancel, embeddedAvailable, initial }: ProfileFormProps): ReactNode {
  const presets = useAppStore((state) => state.presets);
  const saveProfile = useAppStore((state) => state.saveProfile);
  const from = initial?.profile;
  // A copy of the demo profile is an ordinary custom profile on the same issuer.
  const fromPreset: PresetId | undefined = from ? (from.preset === 'demo' ? 'custom-oidc' : from.preset) : undefined;
  const selectable = useMemo(() => presets.filter((preset) => preset.id !== 'demo'), [presets]);
  const first = selectable.find((candidate) => candidate.id === fromPreset) ?? selectable[0];
  const [presetId, setPresetId] = useState<PresetId>(first?.id ?? 'custom-oidc');
  const preset: ProviderPreset | undefined = presets.find((candidate) => candidate.id === presetId);
  const byTenant = preset ? tenantOnly(preset.authorityTemplate) : false;

  const [name, setName] = useState(from ? (initial?.mode === 'duplicate' ? `${from.name} (copy)` : from.name) : '');
  const [tenant, setTenant] = useState(() => (from && first && tenantOnly(first.authorityTemplate) ? from.authority.replace(first.authorityTemplate.replace('{tenant}', ''), '') : ''));
  const [authorityText, setAuthorityText] = useState(() => from?.authority ?? initialAuthority(first?.authorityTemplate ?? ''));
  const [clientId, setClientId] = useState(from?.clientId ?? '');
  const [scopes, setScopes] = useState((from?.defaultScopes ?? first?.defaultScopes ?? []).join(' '));
  const [method, setMethod] = useState<SignInMethod>(usableMethod(from?.signInMethod ?? first?.signInMethod ?? 'embedded', embeddedAvailable));
  const [redirectUri, setRedirectUri] = useState(from?.redirectUri ?? '');
  const nextKey = useRef(0);
  const toRows = (parameters: Readonly<Record<string, string>> | undefined): ParameterRow[] =>
    Object.entries(parameters ?? {}).map(([rowName, value]) => ({ key: nextKey.current++, name: rowName, value: /^\{[^}]*\}$/.test(value) ? '' : value }));
  const [parameters, setParameters] = useState<ParameterRow[]>(() => toRows(from ? from.extraAuthorizeParameters : first?.extraAuthorizeParameters));
  const [placeholders, setPlaceholders] = useState<Readonly<Record<string, string>>>(() => (from ? {} : (first?.extraAuthorizeParameters ?? {})));
  const [showParameterErrors, setShowParameterErrors] = useState(false);
  const [errors, setErrors] = useState<ProfileValidation['fieldErrors']>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [credentials, setCredentials] = useState<CredentialState>(() => initialCredentials(initial));
  const changeCredentials = (patch: Partial<CredentialState>): void => setCredentials((state) => ({ ...state, ...patch }));
  const appIdentity = credentials.grant === 'app';
  const base = useId();
  const id = (field: string): string => `${base}-${field}`;

  const choosePreset = (next: PresetId): void => {
    setPresetId(next);
    const chosen = presets.find((candidate) => candidate.id === next);
    if (!chosen) return;
    setScopes(chosen.defaultScopes.join(' '));
    setMethod(usableMethod(chosen.signInMethod, embeddedAvailable));
    setTenant('');
    setAuthorityText(initialAuthority(chosen.authorityTemplate));
    setParameters(toRows(chosen.extraAuthorizeParameters));
    setPlaceholders(chosen.extraAuthorizeParameters ?? {});
    setShowParameterErrors(false);
    setErrors({});
  };

  const authority = byTenant && preset ? (tenant.trim() ? preset.authorityTemplate.replace('{tenant}', tenant.trim()) : '') : issuerFromInput(authorityText);
  const pastedDiscovery = !byTenant && DISCOVERY_SUFFIX.test(authorityText.trim());
  const parameterProblems = parameters.map(parameterProblem);

  const submit = async (): Promise<void> => {
    if (!preset) return;
    setShowParameterErrors(true);
    // Parameter rows are checked here, next to each row, before main is asked.
    if (!appIdentity && parameterProblems.some(Boolean)) return;
    const extra = Object.fromEntries(parameters.filter((row) => row.name.trim()).map((row) => [row.name.trim(), row.value.trim()]));
    const draft: ProfileDraft = {
      ...(initial?.mode === 'edit' && from ? { id: from.id } : {}),
      name: name.trim(),
      kind: preset.kind,
      preset: preset.id,
      clientId: clientId.trim(),
      authority,
      defaultScopes: parseScopes(scopes),
      signInMethod: method,
      ...(method === 'embedded' && redirectUri.trim() ? { redirectUri: redirectUri.trim() } : {}),
      ...(Object.keys(extra).length > 0 && !appIdentity ? { extraAuthorizeParameters: extra } : {}),
      ...credentialDraft(credentials),
    };
    setSaving(true);
    setFormError(null);
    const outcome = await saveProfile(draft);
    setSaving(false);
    setErrors(outcome.validation?.fieldErrors ?? {});
    if (outcome.saved) onSaved(outcome.saved);
    else if (outcome.error) setFormError(outcome.error.message);
  };

  const describedBy = (field: FieldName, hint = false): string | undefined =>
    [hint ? `${id(field)}-hint` : '', errors[field] ? `${id(field)}-error` : ''].filter(Boolean).join(' ') || undefined;
  const invalid = (field: FieldName): boolean | undefined => (errors[field] ? true : undefined);

  return (
    <form
      className="form"
      noValidate
      aria-label={initial?.mode === 'edit' ? 'Edit provider profile' : 'New provider profile'}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="field">
        <label htmlFor={id('preset')}>Provider</label>
        <select id={id('preset')} value={presetId} onChange={(event) => choosePreset(event.target.value as PresetId)}>
          {selectable.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.label}
            </option>
          ))}
        </select>
        {preset?.note ? <p className="hint">{preset.note}</p> : null}
      </div>
      <GrantChoice state={credentials} onChange={changeCredentials} id={id} />
      <Field id={id('name')} label="Profile name" error={errors.name}>
        <input id={id('name')} value={name} maxLength={LIMITS.nameLength} onChange={(event) => setName(event.target.value)} aria-invalid={invalid('name')} aria-describedby={describedBy('name')} />
      </Field>
      {byTenant ? (
        <Field id={id('authority')} label="Tenant (id or domain)" error={errors.authority} hint={`Authority: ${authority || preset?.authorityTemplate || ''}`}>
          <input id={id('authority')} value={tenant} onChange={(event) => setTenant(event.target.value)} aria-invalid={invalid('authority')} aria-describedby={describedBy('authority', true)} spellCheck={false} />
        </Field>
      ) : (
        <Field
          id={id('authority')}
          label="Issuer URL"
          error={errors.authority}
          hint={pastedDiscovery ? `Using the issuer ${authority} (the discovery document's address was pasted).` : 'Replace any {placeholder}; its /.well-known/openid-configuration must be reachable. Pasting that address works too.'}
        >
          <input id={id('authority')} value={authorityText} placeholder="https://issuer.example.com" onChange={(event) => setAuthorityText(event.target.value)} aria-invalid={invalid('authority')} aria-describedby={describedBy('authority', true)} spellCheck={false} />
        </Field>
      )}
      <Field id={id('clientId')} label="Client id" error={errors.clientId}>
        <input id={id('clientId')} value={clientId} maxLength={LIMITS.clientIdLength} onChange={(event) => setClientId(event.target.value)} aria-invalid={invalid('clientId')} aria-describedby={describedBy('clientId')} spellCheck={false} />
      </Field>
      <Field
        id={id('defaultScopes')}
        label="Default scopes"
        error={errors.defaultScopes}
        hint={appIdentity ? 'The API the app calls, separated by spaces; for Entra its .default scope, e.g. https://graph.microsoft.com/.default.' : 'Separated by spaces; openid, profile and offline_access are always added.'}
      >
        <input id={id('defaultScopes')} value={scopes} onChange={(event) => setScopes(event.target.value)} aria-invalid={invalid('defaultScopes')} aria-describedby={describedBy('defaultScopes', true)} spellCheck={false} />
      </Field>
      <CredentialFields state={credentials} onChange={changeCredentials} errors={errors} providerKind={preset?.kind ?? 'oidc'} id={id} />
      {appIdentity ? null : <SignInMethodChoice method={method} onChange={setMethod} embeddedAvailable={embeddedAvailable} />}
      {method === 'embedded' && !appIdentity ? (
        <Field id={id('redirectUri')} label="Redirect URI (as registered)" error={errors.redirectUri}>
          <input id={id('redirectUri')} value={redirectUri} onChange={(event) => setRedirectUri(event.target.value)} aria-invalid={invalid('redirectUri')} aria-describedby={describedBy('redirectUri')} spellCheck={false} />
        </Field>
      ) : null}
      {appIdentity ? null : (
        <fieldset className="parameters">
          <legend>Extra authorize parameters</legend>
          <p className="hint" id={id('parameters-hint')}>
            Sent with every sign-in, e.g. <code>audience</code> for Auth0 or <code>access_type</code> for Google. Tessera sets state, nonce, PKCE, redirect_uri and scope itself.
          </p>
          {parameters.map((row, index) => {
            const problem = showParameterErrors || row.name.trim() ? parameterProblems[index] : undefined;
            const rowId = `${id('parameter')}-${row.key}`;
            const placeholder = placeholders[row.name];
            const label = row.name === 'audience' ? 'API audience' : row.name.trim() || 'new parameter';
            const update = (patch: Partial<ParameterRow>): void => setParameters((rows) => rows.map((candidate) => (candidate.key === row.key ? { ...candidate, ...patch } : candidate)));
            return (
              <div className="parameter-row" key={row.key} role="group" aria-label={`Parameter ${label}`}>
                <input
                  aria-label={`Name of ${label}`}
                  value={row.name}
                  placeholder="name"
                  spellCheck={false}
                  onChange={(event) => update({ name: event.target.value })}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `${rowId}-error` : undefined}
                />
                <input
                  aria-label={row.name === 'audience' ? 'API audience' : `Value of ${label}`}
                  value={row.value}
                  placeholder={placeholder ?? 'value'}
                  spellCheck={false}
                  onChange={(event) => update({ value: event.target.value })}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `${rowId}-error` : undefined}
                />
                <button type="button" onClick={() => setParameters((rows) => rows.filter((candidate) => candidate.key !== row.key))} aria-label={`Remove ${label}`}>
                  Remove
                </button>
                {problem ? (
                  <p className="field-error parameter-error" id={`${rowId}-error`}>
                    {problem}
                  </p>
                ) : null}
              </div>
            );
          })}
          <button type="button" className="link" onClick={() => setParameters((rows) => [...rows, { key: nextKey.current++, name: '', value: '' }])}>
            + Add parameter
          </button>
        </fieldset>
      )}
      <CaFileField state={credentials} onChange={changeCredentials} errors={errors} id={id} />
      {formError ? (
        <p className="error" role="alert">
          {formError}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Back
        </button>
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Checking…' : initial?.mode === 'edit' ? 'Check and save changes' : 'Check and save'}
        </button>
      </div>
    </form>
  );
}
