/**
 * The profile form's app-identity, client-secret and custom-CA fields (issue 9), kept apart from
 * the rest of the form.
 *
 * Secrets are write-only: the form sends a secret or private key only when one was typed, and
 * shows "secret saved" for a saved one (main never sends it back). Main checks everything again
 * and answers with field errors that appear here next to their fields.
 */
import type { ReactNode } from 'react';
import { CREDENTIAL_LIMITS, type ClientCredentialKind, type ProfileCredentialField, type ProfileDraft, type ProfileGrant, type ProviderKind, type ProviderProfile } from '../../preload/contract';
import { Field } from './field';

/** What the fields hold. */
export interface CredentialState {
  readonly grant: ProfileGrant;
  readonly kind: ClientCredentialKind;
  /** Typed secret (empty: keep the saved one, if any). */
  readonly secret: string;
  readonly privateKey: string;
  readonly thumbprint: string;
  /** A secret or key is saved for the profile being edited, and the user did not remove it. */
  readonly saved: boolean;
  /** User profiles only: the client has a secret (a Google desktop client). */
  readonly userSecret: boolean;
  readonly caFile: string;
}

/** The fields' starting values: from the edited or copied profile (a copy does not inherit its secret). */
export function initialCredentials(initial: { readonly profile: ProviderProfile; readonly mode: 'edit' | 'duplicate' } | undefined): CredentialState {
  const from = initial?.profile;
  const saved = initial?.mode === 'edit' && from?.clientAuth?.saved === true;
  return {
    grant: from?.grant ?? 'user',
    kind: from?.clientAuth?.kind ?? 'secret',
    secret: '',
    privateKey: '',
    thumbprint: from?.clientAuth?.thumbprint ?? '',
    saved,
    userSecret: from?.grant !== 'app' && from?.clientAuth !== undefined,
    caFile: from?.caFile ?? '',
  };
}

/** The draft fields for `state`: the grant, the credential's public part, a typed secret, the CA file. */
export function credentialDraft(state: CredentialState): Pick<ProfileDraft, 'grant' | 'clientAuth' | 'clientSecret' | 'privateKey' | 'caFile'> {
  const caFile = state.caFile.trim() ? { caFile: state.caFile.trim() } : {};
  if (state.grant === 'app') {
    if (state.kind === 'certificate') {
      return { grant: 'app', clientAuth: { kind: 'certificate', thumbprint: state.thumbprint.trim() }, ...(state.privateKey.trim() ? { privateKey: state.privateKey } : {}), ...caFile };
    }
    return { grant: 'app', clientAuth: { kind: 'secret' }, ...(state.secret ? { clientSecret: state.secret } : {}), ...caFile };
  }
  if (!state.userSecret) return caFile;
  return { clientAuth: { kind: 'secret' }, ...(state.secret ? { clientSecret: state.secret } : {}), ...caFile };
}

interface FieldsProps {
  readonly state: CredentialState;
  readonly onChange: (patch: Partial<CredentialState>) => void;
  readonly errors: Readonly<Partial<Record<ProfileCredentialField, string>>>;
  readonly providerKind: ProviderKind;
  /** Makes element ids unique in the page. */
  readonly id: (field: string) => string;
}

const describedBy = (id: string, hint: boolean, error: string | undefined): string | undefined => [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** "Who gets the tokens": people who sign in, or the app itself (client credentials). */
export function GrantChoice({ state, onChange, id }: Pick<FieldsProps, 'state' | 'onChange' | 'id'>): ReactNode {
  return (
    <fieldset>
      <legend>Accounts of this profile</legend>
      <label className="radio">
        <input type="radio" name={id('grant')} checked={state.grant === 'user'} onChange={() => onChange({ grant: 'user' })} />
        People sign in
      </label>
      <label className="radio">
        <input type="radio" name={id('grant')} checked={state.grant === 'app'} onChange={() => onChange({ grant: 'app' })} />
        App identity (service principal: client credentials)
      </label>
    </fieldset>
  );
}

function SecretInput({ state, onChange, errors, id, label }: FieldsProps & { readonly label: string }): ReactNode {
  const field = id('clientSecret');
  const hint = state.saved
    ? 'Secret saved (encrypted with your tokens; it is never shown). Type a new one to replace it.'
    : 'Kept encrypted with your tokens, never in the settings file, and never shown again.';
  return (
    <Field id={field} label={label} hint={hint} error={errors.clientSecret}>
      <input
        id={field}
        type="password"
        autoComplete="off"
        value={state.secret}
        maxLength={CREDENTIAL_LIMITS.clientSecretLength}
        placeholder={state.saved ? 'secret saved' : ''}
        onChange={(event) => onChange({ secret: event.target.value })}
        aria-invalid={errors.clientSecret ? true : undefined}
        aria-describedby={describedBy(field, true, errors.clientSecret)}
        spellCheck={false}
      />
    </Field>
  );
}

/** The credential of an app identity (secret or certificate), or the optional secret of a user profile. */
export function CredentialFields(props: FieldsProps): ReactNode {
  const { state, onChange, errors, providerKind, id } = props;
  if (state.grant === 'user') {
    // Entra public clients have no secret; some OIDC desktop clients (Google's) need one.
    if (providerKind === 'entra') return null;
    return (
      <fieldset>
        <legend>Client secret</legend>
        <label className="radio">
          <input type="checkbox" checked={state.userSecret} onChange={(event) => onChange({ userSecret: event.target.checked })} />
          This client has a secret (e.g. a Google &ldquo;Desktop app&rdquo; client)
        </label>
        {state.userSecret ? <SecretInput {...props} label="Client secret" /> : null}
      </fieldset>
    );
  }
  const thumbprintField = id('thumbprint');
  const keyField = id('privateKey');
  return (
    <fieldset>
      <legend>App credential</legend>
      <label className="radio">
        <input type="radio" name={id('credential-kind')} checked={state.kind === 'secret'} onChange={() => onChange({ kind: 'secret', saved: false })} />
        Client secret
      </label>
      <label className="radio">
        <input type="radio" name={id('credential-kind')} checked={state.kind === 'certificate'} onChange={() => onChange({ kind: 'certificate', saved: false })} />
        Certificate
      </label>
      {state.kind === 'secret' ? (
        <SecretInput {...props} label="Client secret (its value, not its id)" />
      ) : (
        <>
          <Field id={thumbprintField} label="Certificate thumbprint (SHA-1)" hint="40 hexadecimal characters, as shown where the certificate was uploaded." error={errors.thumbprint}>
            <input
              id={thumbprintField}
              value={state.thumbprint}
              maxLength={128}
              onChange={(event) => onChange({ thumbprint: event.target.value })}
              aria-invalid={errors.thumbprint ? true : undefined}
              aria-describedby={describedBy(thumbprintField, true, errors.thumbprint)}
              spellCheck={false}
            />
          </Field>
          <Field
            id={keyField}
            label="Private key (PEM)"
            hint={state.saved ? 'Private key saved (encrypted with your tokens; it is never shown). Paste a new one to replace it.' : 'Paste the unencrypted PEM key (-----BEGIN PRIVATE KEY-----). Kept encrypted with your tokens, never shown again.'}
            error={errors.privateKey}
          >
            <textarea
              id={keyField}
              rows={4}
              value={state.privateKey}
              maxLength={CREDENTIAL_LIMITS.privateKeyLength}
              placeholder={state.saved ? 'private key saved' : '-----BEGIN PRIVATE KEY-----'}
              onChange={(event) => onChange({ privateKey: event.target.value })}
              aria-invalid={errors.privateKey ? true : undefined}
              aria-describedby={describedBy(keyField, true, errors.privateKey)}
              spellCheck={false}
              autoComplete="off"
            />
          </Field>
        </>
      )}
    </fieldset>
  );
}

/** The custom CA of the provider's TLS certificate: a PEM file's path. */
export function CaFileField({ state, onChange, errors, id }: Omit<FieldsProps, 'providerKind'>): ReactNode {
  const field = id('caFile');
  return (
    <Field
      id={field}
      label="Custom CA certificate (optional)"
      hint="For company or lab providers whose certificate this computer does not trust: the full path of the CA certificate, a PEM file. Leave empty otherwise."
      error={errors.caFile}
    >
      <input
        id={field}
        value={state.caFile}
        maxLength={CREDENTIAL_LIMITS.filePathLength}
        placeholder="/etc/ssl/certs/company-ca.pem"
        onChange={(event) => onChange({ caFile: event.target.value })}
        aria-invalid={errors.caFile ? true : undefined}
        aria-describedby={describedBy(field, true, errors.caFile)}
        spellCheck={false}
      />
    </Field>
  );
}
