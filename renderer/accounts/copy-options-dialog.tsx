/**
 * "Copy token" with other scopes, as a raw token or an `Authorization: Bearer …` header.
 */
import { useId, useState, type ReactNode } from 'react';
import type { ErrorInfo, TokenFormat } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { parseScopes } from '../common/format';
import { useAppStore } from '../store';

// The answers that mean "this sign-in does not cover these scopes" (RFC 6749 §5.2 `invalid_scope`;
// OpenID Connect Core §3.1.2.6 `consent_required`, `interaction_required`). A silent call reports
// the last two as `needs_sign_in` with the provider's own value alongside.
const SCOPE_CONSENT_ERRORS: ReadonlySet<string> = new Set(['invalid_scope', 'consent_required', 'interaction_required']);

/** Whether a failed copy is fixed by signing in for the scopes (incremental consent). */
export function needsConsentForScopes(error: ErrorInfo): boolean {
  return SCOPE_CONSENT_ERRORS.has(error.code) || (error.provider !== undefined && SCOPE_CONSENT_ERRORS.has(error.provider.error));
}

/** A failed copy (or sign-in for the scopes) in words about the Scopes field. */
export function copyErrorText(error: ErrorInfo): string {
  if (needsConsentForScopes(error)) {
    return 'Scopes: this account has not consented to these scopes yet. Sign in for these scopes to give consent, then the token is copied.';
  }
  switch (error.code) {
    case 'user_cancelled':
      return 'Scopes: the sign-in for these scopes was cancelled. Nothing was copied.';
    case 'access_denied':
      return `Scopes: the provider refused the sign-in for these scopes. ${error.message}`;
    default:
      return error.message;
  }
}

/** Props of {@link CopyOptionsDialog}. */
export interface CopyOptionsDialogProps {
  readonly accountId: string;
}

/** The scope picker and format choice for one copy. */
export function CopyOptionsDialog({ accountId }: CopyOptionsDialogProps): ReactNode {
  const account = useAppStore((state) => state.accounts.find((candidate) => candidate.id === accountId));
  const profile = useAppStore((state) => state.profiles.find((candidate) => candidate.id === account?.profileId));
  const format = useAppStore((state) => state.copyFormat);
  const setCopyFormat = useAppStore((state) => state.setCopyFormat);
  const copyToken = useAppStore((state) => state.copyToken);
  const signInForScopes = useAppStore((state) => state.signInForScopes);
  const closePanel = useAppStore((state) => state.closePanel);
  const [scopes, setScopes] = useState(() => (profile?.defaultScopes ?? []).join(' '));
  const [copying, setCopying] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const scopesId = useId();
  const hintId = useId();
  const errorId = useId();

  if (!account) return null;
  const copy = async (): Promise<void> => {
    setCopying(true);
    setError(null);
    const ok = await copyToken(account.id, { scopes: parseScopes(scopes), format, onError: setError });
    setCopying(false);
    if (ok) closePanel();
  };
  // Incremental consent: an interactive sign-in for exactly these scopes (login_hint kept), then
  // the copy the user asked for.
  const signInAndCopy = async (): Promise<void> => {
    const asked = parseScopes(scopes);
    setSigningIn(true);
    setError(null);
    const signedIn = await signInForScopes(account.id, asked, setError);
    setSigningIn(false);
    if (signedIn) await copy();
  };
  return (
    <Dialog title={`Copy token for ${account.username}`} onClose={closePanel} testId="copy-options">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void copy();
        }}
      >
        <label htmlFor={scopesId}>Scopes</label>
        <input
          id={scopesId}
          value={scopes}
          onChange={(event) => setScopes(event.target.value)}
          aria-describedby={error ? `${hintId} ${errorId}` : hintId}
          aria-invalid={error ? true : undefined}
          spellCheck={false}
        />
        <p id={hintId} className="hint">
          Separated by spaces. Leave empty for the profile&apos;s default scopes{profile ? ` (${profile.defaultScopes.join(' ') || 'none'})` : ''}.
        </p>
        {error ? (
          <p id={errorId} className="field-error" role="alert" data-testid="copy-error">
            {copyErrorText(error)}
          </p>
        ) : null}
        {error && needsConsentForScopes(error) && parseScopes(scopes).length > 0 ? (
          <button type="button" className="primary" onClick={() => void signInAndCopy()} disabled={signingIn} data-testid="sign-in-for-scopes">
            {signingIn ? 'Signing in…' : 'Sign in for these scopes'}
          </button>
        ) : null}
        {profile && profile.defaultScopes.length > 1 ? (
          <div className="chips" role="group" aria-label="Pick one default scope">
            {profile.defaultScopes.map((scope) => (
              <button type="button" key={scope} className="chip" onClick={() => setScopes(scope)}>
                {scope}
              </button>
            ))}
          </div>
        ) : null}
        <fieldset>
          <legend>Format</legend>
          {(['raw', 'bearer'] as const satisfies readonly TokenFormat[]).map((option) => (
            <label key={option} className="radio">
              <input type="radio" name="format" value={option} checked={format === option} onChange={() => setCopyFormat(option)} />
              {option === 'raw' ? 'Raw token' : 'Authorization: Bearer … header'}
            </label>
          ))}
        </fieldset>
        <div className="form-actions">
          <button type="button" onClick={closePanel}>
            Cancel
          </button>
          <button type="submit" className={error && needsConsentForScopes(error) ? undefined : 'primary'} disabled={copying || signingIn}>
            {copying ? 'Copying…' : 'Copy'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
