/**
 * Creates a provider profile from a preset: Entra tenant, or an OIDC issuer with client id and scopes.
 *
 * Main validates it (fields well-formed, discovery reachable) before it is saved; its field errors
 * appear next to their fields.
 */
import { useId, useMemo, useState, type ReactNode } from 'react';
import { LIMITS, type PresetId, type ProfileDraft, type ProfileValidation, type ProviderPreset, type ProviderProfile, type SignInMethod } from '../../preload/contract';
import { parseScopes } from '../common/format';
import { useAppStore } from '../store';

type FieldName = keyof ProfileValidation['fieldErrors'];

/** Props of {@link ProfileForm}. */
export interface ProfileFormProps {
  readonly onSaved: (profile: ProviderProfile) => void;
  readonly onCancel: () => void;
  /** Browser mode has no embedded window. */
  readonly embeddedAvailable: boolean;
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

function Field({ id, label, error, hint, children }: { readonly id: string; readonly label: string; readonly error?: string; readonly hint?: string; readonly children: ReactNode }): ReactNode {
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The "new profile" form. */
export function ProfileForm({ onSaved, onCancel, embeddedAvailable }: ProfileFormProps): ReactNode {
  const presets = useAppStore((state) => state.presets);
  const saveProfile = useAppStore((state) => state.saveProfile);
  const selectable = useMemo(() => presets.filter((preset) => preset.id !== 'demo'), [presets]);
  const [presetId, setPresetId] = useState<PresetId>(selectable[0]?.id ?? 'custom-oidc');
  const preset: ProviderPreset | undefined = presets.find((candidate) => candidate.id === presetId);
  const byTenant = preset ? tenantOnly(preset.authorityTemplate) : false;

  const [name, setName] = useState('');
  const [tenant, setTenant] = useState('');
  const [authorityText, setAuthorityText] = useState(() => initialAuthority(selectable[0]?.authorityTemplate ?? ''));
  const [clientId, setClientId] = useState('');
  const [scopes, setScopes] = useState((selectable[0]?.defaultScopes ?? []).join(' '));
  const [method, setMethod] = useState<SignInMethod>(embeddedAvailable ? (selectable[0]?.signInMethod ?? 'embedded') : 'system-browser');
  const [redirectUri, setRedirectUri] = useState('');
  const [errors, setErrors] = useState<ProfileValidation['fieldErrors']>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const base = useId();
  const id = (field: string): string => `${base}-${field}`;

  const choosePreset = (next: PresetId): void => {
    setPresetId(next);
    const chosen = presets.find((candidate) => candidate.id === next);
    if (!chosen) return;
    setScopes(chosen.defaultScopes.join(' '));
    setMethod(embeddedAvailable ? chosen.signInMethod : 'system-browser');
    setTenant('');
    setAuthorityText(initialAuthority(chosen.authorityTemplate));
    setErrors({});
  };

  const authority = byTenant && preset ? (tenant.trim() ? preset.authorityTemplate.replace('{tenant}', tenant.trim()) : '') : authorityText.trim();

  const submit = async (): Promise<void> => {
    if (!preset) return;
    const draft: ProfileDraft = {
      name: name.trim(),
      kind: preset.kind,
      preset: preset.id,
      clientId: clientId.trim(),
      authority,
      defaultScopes: parseScopes(scopes),
      signInMethod: method,
      ...(method === 'embedded' && redirectUri.trim() ? { redirectUri: redirectUri.trim() } : {}),
      ...(preset.extraAuthorizeParameters ? { extraAuthorizeParameters: preset.extraAuthorizeParameters } : {}),
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
      aria-label="New provider profile"
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
      <Field id={id('name')} label="Profile name" error={errors.name}>
        <input id={id('name')} value={name} maxLength={LIMITS.nameLength} onChange={(event) => setName(event.target.value)} aria-invalid={invalid('name')} aria-describedby={describedBy('name')} />
      </Field>
      {byTenant ? (
        <Field id={id('authority')} label="Tenant (id or domain)" error={errors.authority} hint={`Authority: ${authority || preset?.authorityTemplate || ''}`}>
          <input id={id('authority')} value={tenant} onChange={(event) => setTenant(event.target.value)} aria-invalid={invalid('authority')} aria-describedby={describedBy('authority', true)} spellCheck={false} />
        </Field>
      ) : (
        <Field id={id('authority')} label="Issuer URL" error={errors.authority} hint="Replace any {placeholder}; its /.well-known/openid-configuration must be reachable.">
          <input id={id('authority')} value={authorityText} placeholder="https://issuer.example.com" onChange={(event) => setAuthorityText(event.target.value)} aria-invalid={invalid('authority')} aria-describedby={describedBy('authority', true)} spellCheck={false} />
        </Field>
      )}
      <Field id={id('clientId')} label="Client id" error={errors.clientId}>
        <input id={id('clientId')} value={clientId} maxLength={LIMITS.clientIdLength} onChange={(event) => setClientId(event.target.value)} aria-invalid={invalid('clientId')} aria-describedby={describedBy('clientId')} spellCheck={false} />
      </Field>
      <Field id={id('defaultScopes')} label="Default scopes" error={errors.defaultScopes} hint="Separated by spaces; openid, profile and offline_access are always added.">
        <input id={id('defaultScopes')} value={scopes} onChange={(event) => setScopes(event.target.value)} aria-invalid={invalid('defaultScopes')} aria-describedby={describedBy('defaultScopes', true)} spellCheck={false} />
      </Field>
      <fieldset>
        <legend>Sign in with</legend>
        <label className="radio">
          <input type="radio" name={id('method')} checked={method === 'embedded'} disabled={!embeddedAvailable} onChange={() => setMethod('embedded')} />
          App window{embeddedAvailable ? '' : ' (not available in browser mode)'}
        </label>
        <label className="radio">
          <input type="radio" name={id('method')} checked={method === 'system-browser'} onChange={() => setMethod('system-browser')} />
          System browser
        </label>
      </fieldset>
      {method === 'embedded' ? (
        <Field id={id('redirectUri')} label="Redirect URI (as registered)" error={errors.redirectUri}>
          <input id={id('redirectUri')} value={redirectUri} onChange={(event) => setRedirectUri(event.target.value)} aria-invalid={invalid('redirectUri')} aria-describedby={describedBy('redirectUri')} spellCheck={false} />
        </Field>
      ) : null}
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
          {saving ? 'Checking…' : 'Check and save'}
        </button>
      </div>
    </form>
  );
}
