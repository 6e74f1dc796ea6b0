/**
 * "Decode a token": paste a JWT (or a whole `Authorization: Bearer …` line) and read its header
 * and claims. Decoded here in the renderer with `jose`: nothing is sent anywhere, and the signature
 * is not checked (the form says so).
 */
import { useDeferredValue, useId, useMemo, useState, type ReactNode } from 'react';
import { Dialog } from '../common/dialog';
import { decodeToken, tokenFromPaste } from './decode-token';
import { DecodedTokenView } from './decoded-token-view';

/** The paste box and what it decodes to. */
export function DecodeTokenForm(): ReactNode {
  const [text, setText] = useState('');
  const deferred = useDeferredValue(text);
  const token = tokenFromPaste(deferred);
  const decoded = useMemo(() => (token ? decodeToken(token) : undefined), [token]);
  const inputId = useId();
  const hintId = useId();
  return (
    <div className="form decode-form">
      <label htmlFor={inputId}>Token to decode</label>
      <textarea
        id={inputId}
        className="token-text"
        rows={4}
        spellCheck={false}
        autoComplete="off"
        value={text}
        placeholder="eyJhbGciOi…"
        aria-describedby={hintId}
        data-testid="decode-input"
        onChange={(event) => setText(event.target.value)}
      />
      <p className="hint" id={hintId}>
        Decoded on this computer only; nothing is sent. The signature is not checked.
      </p>
      {decoded ? (
        <section aria-label="Decoded token" data-testid="decoded-token">
          <DecodedTokenView decoded={decoded} />
        </section>
      ) : null}
    </div>
  );
}

/** Props of {@link DecodeTokenDialog}. */
export interface DecodeTokenDialogProps {
  readonly onClose: () => void;
}

/** "Decode a token" as its own dialog, from the toolbar. */
export function DecodeTokenDialog({ onClose }: DecodeTokenDialogProps): ReactNode {
  return (
    <Dialog title="Decode a token" onClose={onClose} variant="side" testId="decode-token">
      <DecodeTokenForm />
    </Dialog>
  );
}
