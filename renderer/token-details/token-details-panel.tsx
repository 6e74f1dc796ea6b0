/**
 * Token details: masked until revealed; then the decoded header, claims, audience, scopes and a
 * live countdown. "Hide token" drops the token from renderer state without asking main again;
 * closing the panel does the same.
 */
import { useMemo, useState, useId, type ReactNode } from 'react';
import type { AccountId, RevealedToken } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { parseScopes, statusLabel } from '../common/format';
import { useNow } from '../common/use-now';
import { useAppStore } from '../store';
import { DecodeTokenForm } from './decode-token-form';
import { decodeToken } from './decode-token';
import { DecodedTokenView } from './decoded-token-view';
import { IdTokenSection } from './id-token-section';

const MASK = '•'.repeat(32);

function RevealedView({ token }: { readonly token: RevealedToken }): ReactNode {
  const decoded = useMemo(() => decodeToken(token.accessToken), [token.accessToken]);
  return (
    <>
      <label className="field-label" htmlFor="revealed-token">
        Access token ({token.tokenType}, from {token.source === 'cache' ? 'cache' : 'the provider'})
      </label>
      <textarea id="revealed-token" className="token-text" readOnly value={token.accessToken} rows={4} spellCheck={false} data-testid="revealed-token" />
      <DecodedTokenView decoded={decoded} expiresOn={token.expiresOn} fallbackScopes={token.scopes} />
    </>
  );
}

/** The details panel for the account in `detailsFor`. */
export function TokenDetailsPanel(): ReactNode {
  const accountId = useAppStore((state) => state.detailsFor);
  // The panel's ticking clock and account lookup run only while it is open, not once a second for
  // the whole session; keyed so another account starts with a fresh form.
  return accountId === null ? null : <OpenTokenDetails key={accountId} accountId={accountId} />;
}

function OpenTokenDetails({ accountId }: { readonly accountId: AccountId }): ReactNode {
  const account = useAppStore((state) => state.accounts.find((candidate) => candidate.id === accountId));
  const profile = useAppStore((state) => state.profiles.find((candidate) => candidate.id === account?.profileId));
  const revealed = useAppStore((state) => state.revealed);
  const revealError = useAppStore((state) => state.revealError);
  const revealToken = useAppStore((state) => state.revealToken);
  const hideToken = useAppStore((state) => state.hideToken);
  const closeDetails = useAppStore((state) => state.closeDetails);
  const [scopes, setScopes] = useState('');
  const [revealing, setRevealing] = useState(false);
  const scopesId = useId();
  const errorId = useId();
  const now = useNow(1000);

  if (!account) return null;
  const label = statusLabel(account.status, now);
  return (
    <Dialog title={`Token for ${account.username}`} onClose={closeDetails} variant="side" testId="token-details">
      <dl className="facts">
        <dt>Provider</dt>
        <dd>
          {account.profileName}
          {account.tenant ? ` · ${account.tenant}` : ''}
        </dd>
        <dt>Status</dt>
        <dd>
          {label.text}
          {account.status.kind === 'needs-sign-in' ? <span className="block muted">{account.status.reason}</span> : null}
        </dd>
        <dt>Stored</dt>
        <dd>{account.storage === 'encrypted' ? 'encrypted on this machine' : 'in memory only'}</dd>
      </dl>
      <form
        className="form inline-form"
        onSubmit={async (event) => {
          event.preventDefault();
          if (revealing) return;
          setRevealing(true);
          await revealToken(parseScopes(scopes));
          setRevealing(false);
        }}
      >
        <label htmlFor={scopesId}>Scopes</label>
        <input
          id={scopesId}
          value={scopes}
          placeholder={profile?.defaultScopes.join(' ') || 'default scopes'}
          onChange={(event) => setScopes(event.target.value)}
          spellCheck={false}
          aria-invalid={revealError ? true : undefined}
          aria-describedby={revealError ? errorId : undefined}
        />
        {/* Two buttons with their own keys: turning one submit button into "Hide" in place made the
            click that hid the token also submit the form, which revealed it again (issue 9). */}
        <button key="reveal" type="submit" className={revealed ? undefined : 'primary'} disabled={revealing}>
          {revealing ? 'Revealing…' : revealed ? 'Reveal again' : 'Reveal token'}
        </button>
        {revealed ? (
          <button key="hide" type="button" className="primary" onClick={hideToken}>
            Hide token
          </button>
        ) : null}
      </form>
      {revealError ? (
        <p className="error" role="alert" id={errorId}>
          {revealError.message}
        </p>
      ) : null}
      {revealed ? (
        <RevealedView token={revealed} />
      ) : (
        <p className="masked" data-testid="masked-token" aria-label="Token hidden">
          {MASK}
        </p>
      )}
      <IdTokenSection />
      <details className="decode-section">
        <summary>Decode a token</summary>
        <DecodeTokenForm />
      </details>
    </Dialog>
  );
}
