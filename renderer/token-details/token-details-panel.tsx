/**
 * Token details: masked until revealed; then the decoded header, claims, audience, scopes and a
 * live countdown. Closing the panel drops the token from renderer state.
 */
import { useMemo, useState, useId, type ReactNode } from 'react';
import type { AccountId, RevealedToken } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { formatDateTime, formatDuration, parseScopes, statusLabel, toEpochMs } from '../common/format';
import { useNow } from '../common/use-now';
import { useAppStore } from '../store';
import { decodeToken } from './decode-token';

const MASK = '•'.repeat(32);

function Countdown({ expiresOnSeconds }: { readonly expiresOnSeconds: number }): ReactNode {
  const now = useNow(1000);
  const left = toEpochMs(expiresOnSeconds) - now;
  return <span data-testid="countdown">{left > 0 ? `expires in ${formatDuration(left)}` : 'expired'}</span>;
}

function RevealedView({ token }: { readonly token: RevealedToken }): ReactNode {
  const decoded = useMemo(() => decodeToken(token.accessToken), [token.accessToken]);
  const scopes = decoded.kind === 'jwt' && decoded.scopes.length > 0 ? decoded.scopes : token.scopes;
  return (
    <>
      <label className="field-label" htmlFor="revealed-token">
        Access token ({token.tokenType}, from {token.source === 'cache' ? 'cache' : 'the provider'})
      </label>
      <textarea id="revealed-token" className="token-text" readOnly value={token.accessToken} rows={4} spellCheck={false} data-testid="revealed-token" />
      <dl className="facts">
        <dt>Expires</dt>
        <dd>
          {formatDateTime(toEpochMs(token.expiresOn))} (<Countdown expiresOnSeconds={token.expiresOn} />)
        </dd>
        {decoded.kind === 'jwt' && decoded.issuedAt !== undefined ? (
          <>
            <dt>Issued</dt>
            <dd>{formatDateTime(decoded.issuedAt * 1000)}</dd>
          </>
        ) : null}
        {decoded.kind === 'jwt' ? (
          <>
            <dt>Audience</dt>
            <dd data-testid="audience">{decoded.audience.join(', ') || '—'}</dd>
            <dt>Issuer</dt>
            <dd>{typeof decoded.claims.iss === 'string' ? decoded.claims.iss : '—'}</dd>
          </>
        ) : null}
        <dt>Scopes</dt>
        <dd data-testid="scopes">{scopes.join(' ') || '—'}</dd>
      </dl>
      {decoded.kind === 'jwt' ? (
        <>
          <h3>Header</h3>
          <pre className="json" data-testid="jwt-header">{JSON.stringify(decoded.header, null, 2)}</pre>
          <h3>Claims</h3>
          <pre className="json" data-testid="jwt-claims">{JSON.stringify(decoded.claims, null, 2)}</pre>
        </>
      ) : (
        <p className="notice" data-testid="opaque-notice">
          {decoded.reason}
        </p>
      )}
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
        <dd>{label.text}</dd>
        <dt>Stored</dt>
        <dd>{account.storage === 'encrypted' ? 'encrypted on this machine' : 'in memory only'}</dd>
      </dl>
      <form
        className="form inline-form"
        onSubmit={async (event) => {
          event.preventDefault();
          setRevealing(true);
          await revealToken(parseScopes(scopes));
          setRevealing(false);
        }}
      >
        <label htmlFor={scopesId}>Scopes</label>
        <input id={scopesId} value={scopes} placeholder={profile?.defaultScopes.join(' ') || 'default scopes'} onChange={(event) => setScopes(event.target.value)} spellCheck={false} />
        {revealed ? (
          <button type="button" onClick={hideToken}>
            Hide token
          </button>
        ) : (
          <button type="submit" className="primary" disabled={revealing}>
            {revealing ? 'Revealing…' : 'Reveal token'}
          </button>
        )}
      </form>
      {revealError ? (
        <p className="error" role="alert">
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
    </Dialog>
  );
}
