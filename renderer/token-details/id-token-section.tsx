/**
 * The account's ID token in the details panel: its decoded claims on request, the raw token only
 * when the user reveals it. Main sends each only when asked (`getIdToken`), so the renderer holds
 * no ID token the user did not ask to see.
 */
import { useState, type ReactNode } from 'react';
import type { IdTokenDetails } from '../../preload/contract';
import { useAppStore } from '../store';
import type { DecodedToken } from './decode-token';
import { DecodedTokenView } from './decoded-token-view';

/** The details main decoded, in the shape the token view shows. */
export function idTokenAsDecoded(details: IdTokenDetails): DecodedToken {
  const { claims } = details;
  const aud = claims['aud'];
  const audience = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((value): value is string => typeof value === 'string') : [];
  return {
    kind: 'jwt',
    header: details.header,
    claims,
    audience,
    scopes: [],
    ...(typeof claims['iat'] === 'number' ? { issuedAt: claims['iat'] } : {}),
    ...(details.expiresOn !== undefined ? { expiresAt: details.expiresOn } : {}),
  };
}

/** "ID token": show claims, reveal the raw token, hide. */
export function IdTokenSection(): ReactNode {
  const idToken = useAppStore((state) => state.idToken);
  const error = useAppStore((state) => state.idTokenError);
  const showIdToken = useAppStore((state) => state.showIdToken);
  const hideIdToken = useAppStore((state) => state.hideIdToken);
  const [busy, setBusy] = useState(false);
  const ask = async (raw: boolean): Promise<void> => {
    if (busy) return;
    setBusy(true);
    await showIdToken(raw);
    setBusy(false);
  };
  return (
    <section className="id-token-section" aria-labelledby="id-token-heading" data-testid="id-token">
      <h3 id="id-token-heading">ID token</h3>
      <p className="hint">Who signed in, as the provider said at sign-in. Shown decoded; the token itself only when you reveal it.</p>
      <div className="form-actions start">
        {idToken ? null : (
          <button key="show" type="button" onClick={() => void ask(false)} disabled={busy}>
            Show ID token claims
          </button>
        )}
        {idToken && idToken.idToken === undefined ? (
          <button key="raw" type="button" onClick={() => void ask(true)} disabled={busy}>
            Reveal raw ID token
          </button>
        ) : null}
        {idToken ? (
          <button key="hide" type="button" onClick={hideIdToken}>
            Hide ID token
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="error" role="alert">
          ID token: {error.message}
        </p>
      ) : null}
      {idToken?.idToken !== undefined ? (
        <>
          <label className="field-label" htmlFor="revealed-id-token">
            ID token
          </label>
          <textarea id="revealed-id-token" className="token-text" readOnly value={idToken.idToken} rows={4} spellCheck={false} data-testid="revealed-id-token" />
        </>
      ) : null}
      {idToken ? <DecodedTokenView decoded={idTokenAsDecoded(idToken)} /> : null}
    </section>
  );
}
