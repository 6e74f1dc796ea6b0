/**
 * A device code sign-in waiting for the user (RFC 8628 §3.3): the code and the address to enter it
 * at, each with a copy button, and a live countdown to the code's expiry.
 */
import { useState, type ReactNode } from 'react';
import type { DeviceCodePart, DeviceCodeProgress } from '../../preload/contract';
import { useNow } from '../common/use-now';
import { useAppStore } from '../store';

/** `m:ss` left until `expiresAt` (epoch ms), or `0:00`. */
export function formatCountdown(expiresAt: number, now: number): string {
  const seconds = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function CopyButton({ part, label, onCopied }: { readonly part: DeviceCodePart; readonly label: string; readonly onCopied: (message: string) => void }): ReactNode {
  const copyDeviceCode = useAppStore((state) => state.copyDeviceCode);
  return (
    <button
      type="button"
      aria-label={`Copy the ${label}`}
      onClick={async () => {
        // Main writes the clipboard, as for tokens: the page has no clipboard permission.
        const error = await copyDeviceCode(part);
        onCopied(error ? `The ${label} could not be copied: ${error.message}` : `The ${label} was copied.`);
      }}
    >
      Copy
    </button>
  );
}

/** Props of {@link DeviceCodeBox}. */
export interface DeviceCodeBoxProps {
  readonly progress: DeviceCodeProgress;
  readonly onCancel: () => void;
}

/** The code, where to enter it, copy buttons, countdown and cancel. */
export function DeviceCodeBox({ progress, onCancel }: DeviceCodeBoxProps): ReactNode {
  const now = useNow(1000);
  const [copied, setCopied] = useState('');
  const left = progress.expiresAt - now;
  const link = progress.verificationUriComplete ?? progress.verificationUri;
  return (
    <div className="device-code" role="group" aria-label="Device code sign-in" data-testid="device-code">
      <p>
        On any device, open <strong>{progress.verificationUri}</strong> and enter this code, then sign in at {progress.host}.
      </p>
      <div className="device-code-row">
        <span className="device-code-label" id="device-code-label">
          Code
        </span>
        <code className="device-user-code" aria-labelledby="device-code-label" data-testid="device-user-code">
          {progress.userCode}
        </code>
        <CopyButton part="user-code" label="code" onCopied={setCopied} />
      </div>
      <div className="device-code-row">
        <span className="device-code-label">Address</span>
        <a href={link} target="_blank" rel="noreferrer noopener" className="ellipsis" data-testid="device-verification-uri">
          {progress.verificationUri}
        </a>
        <CopyButton part="verification-uri" label="address" onCopied={setCopied} />
      </div>
      <p className="hint" data-testid="device-code-countdown">
        {left > 0 ? `The code expires in ${formatCountdown(progress.expiresAt, now)}.` : 'The code has expired; Tessera is checking one last time.'}
      </p>
      <p className="hint" role="status">
        {copied}
      </p>
      <div className="progress" role="status" data-testid="sign-in-progress">
        <span className="spinner" aria-hidden="true" />
        <span>Waiting for you to finish at {progress.host}…</span>
        <button type="button" onClick={onCancel}>
          Cancel sign-in
        </button>
      </div>
    </div>
  );
}
