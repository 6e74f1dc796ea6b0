/**
 * The decoded parts of a token: expiry with a live countdown, audience, issuer, scopes, header
 * and claims. Shared by the details panel (a revealed token) and "Decode a token" (a pasted one).
 */
import type { ReactNode } from 'react';
import { formatDateTime, formatDuration, toEpochMs } from '../common/format';
import { useNow } from '../common/use-now';
import type { DecodedToken } from './decode-token';

function Countdown({ expiresOnSeconds }: { readonly expiresOnSeconds: number }): ReactNode {
  const now = useNow(1000);
  const left = toEpochMs(expiresOnSeconds) - now;
  return <span data-testid="countdown">{left > 0 ? `expires in ${formatDuration(left)}` : 'expired'}</span>;
}

/** Props of {@link DecodedTokenView}. */
export interface DecodedTokenViewProps {
  readonly decoded: DecodedToken;
  /** Epoch seconds; from the token endpoint's answer when known, else the `exp` claim. */
  readonly expiresOn?: number;
  /** Scopes to show when the token does not list its own (opaque tokens). */
  readonly fallbackScopes?: readonly string[];
}

/** Facts, header and claims of a decoded token (or why it cannot be decoded). */
export function DecodedTokenView({ decoded, expiresOn, fallbackScopes = [] }: DecodedTokenViewProps): ReactNode {
  const expires = expiresOn ?? (decoded.kind === 'jwt' ? decoded.expiresAt : undefined);
  const scopes = decoded.kind === 'jwt' && decoded.scopes.length > 0 ? decoded.scopes : fallbackScopes;
  return (
    <>
      <dl className="facts">
        {expires !== undefined ? (
          <>
            <dt>Expires</dt>
            <dd>
              {formatDateTime(toEpochMs(expires))} (<Countdown expiresOnSeconds={expires} />)
            </dd>
          </>
        ) : null}
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
            <dd data-testid="issuer">{typeof decoded.claims.iss === 'string' ? decoded.claims.iss : '—'}</dd>
          </>
        ) : null}
        {decoded.kind === 'jwt' || scopes.length > 0 ? (
          <>
            <dt>Scopes</dt>
            <dd data-testid="scopes">{scopes.join(' ') || '—'}</dd>
          </>
        ) : null}
      </dl>
      {decoded.kind === 'jwt' ? (
        <>
          <h3>Header</h3>
          <pre className="json" data-testid="jwt-header">
            {JSON.stringify(decoded.header, null, 2)}
          </pre>
          <h3>Claims</h3>
          <pre className="json" data-testid="jwt-claims">
            {JSON.stringify(decoded.claims, null, 2)}
          </pre>
        </>
      ) : (
        <p className="notice" data-testid="opaque-notice">
          {decoded.reason}
        </p>
      )}
    </>
  );
}
