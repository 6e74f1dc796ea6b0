/**
 * Settings, "Command line (tessera)": whether the token bridge is serving and where, the account
 * `tessera token` uses when none is named, the standing rules ("Always allow") with Revoke,
 * "Install command-line tool", and two lines to copy.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { CommandLineTool, ErrorInfo } from '../../preload/contract';
import { formatDateTime } from '../common/format';
import { scopesText } from '../consent/bridge-labels';
import '../consent/consent.css';
import { useAppStore } from '../store';

/** The lines offered for copying: the token alone, and a request with it as the Authorization header. */
export const COPY_LINES = ['tessera token', 'curl -H "$(tessera token --format header)" https://api.example.com/'] as const;

/** The folder of a path, for either separator. */
function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut > 0 ? path.slice(0, cut) : path;
}

/** What to add to PATH so the shell finds the launcher. */
export function pathAdvice(tool: CommandLineTool, windows: boolean): string {
  const folder = folderOf(tool.installPath);
  return windows ? `setx PATH "%PATH%;${folder}"` : `export PATH="${folder}:$PATH"`;
}

/** An install failure in plain words. */
export function installErrorText(error: ErrorInfo, tool: CommandLineTool | undefined): string {
  const where = tool?.installPath ?? 'that path';
  switch (error.code) {
    case 'path_in_use':
      return `There is already a tessera command at ${where} that Tessera did not write, so Tessera left it alone. Remove or rename it, then install again.`;
    case 'unsupported':
      return 'This build of Tessera has no tessera command to install. From a checkout, run npm link (or npx tessera) instead.';
    default:
      return error.message;
  }
}

function CopyLine({ line }: { readonly line: string }): ReactNode {
  const showToast = useAppStore((state) => state.showToast);
  return (
    <div className="copy-line">
      <code>{line}</code>
      <button
        type="button"
        aria-label={`Copy ${line}`}
        onClick={() => {
          // A command line, never a token: the page's own clipboard access is enough.
          const done = navigator.clipboard?.writeText(line);
          if (!done) {
            showToast({ kind: 'error', message: 'This browser did not allow copying: select the line and copy it.' });
            return;
          }
          done.then(
            () => showToast({ kind: 'success', message: 'Command line copied.' }),
            () => showToast({ kind: 'error', message: 'This browser did not allow copying: select the line and copy it.' }),
          );
        }}
      >
        Copy
      </button>
    </div>
  );
}

/** The "Command line (tessera)" section of Settings. */
export function CommandLineSection(): ReactNode {
  const status = useAppStore((state) => state.bridgeStatus);
  const rules = useAppStore((state) => state.standingRules);
  const accounts = useAppStore((state) => state.accounts);
  const windows = useAppStore((state) => state.appInfo?.platform === 'win32');
  const loadBridgeStatus = useAppStore((state) => state.loadBridgeStatus);
  const setDefaultAccount = useAppStore((state) => state.setDefaultAccount);
  const revokeStandingRule = useAppStore((state) => state.revokeStandingRule);
  const installCommandLineTool = useAppStore((state) => state.installCommandLineTool);
  const [installing, setInstalling] = useState(false);
  const [installError, setInstallError] = useState<ErrorInfo | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const headingId = useId();
  const defaultId = useId();

  // The bridge may have started, stopped or moved since the page loaded.
  useEffect(() => {
    void loadBridgeStatus();
  }, [loadBridgeStatus]);

  const tool = status?.commandLineTool;
  const running = status?.running === true;
  return (
    <section className="command-line" aria-labelledby={headingId}>
      <h3 id={headingId}>Command line (tessera)</h3>
      <p data-testid="bridge-status">
        {status === null ? 'Checking the token bridge…' : running ? (
          <>
            Running: the tessera command reaches Tessera at <code>{status.endpoint}</code>.
          </>
        ) : (
          `Not running: ${status.reason ?? 'the token bridge did not start.'}`
        )}
      </p>

      <div className="field">
        <label htmlFor={defaultId}>Default account for tessera token</label>
        <select
          id={defaultId}
          value={status?.defaultAccountId ?? ''}
          disabled={!running}
          aria-describedby={`${defaultId}-hint`}
          onChange={(event) => void setDefaultAccount(event.target.value === '' ? null : event.target.value)}
        >
          <option value="">None: name an account in the command</option>
          {accounts.map((account) => (
            <option key={account.id} value={account.id}>
              {account.username} ({account.profileName})
            </option>
          ))}
        </select>
        <p className="hint" id={`${defaultId}-hint`}>
          Used when the command names no account, e.g. tessera token. With only one account, that one is used.
        </p>
      </div>

      <h3>Standing rules</h3>
      {rules.length === 0 ? (
        <p className="muted" data-testid="no-rules">
          None. Answering a request with “Always allow” makes one; it is listed here.
        </p>
      ) : (
        <ul className="rule-list" aria-label="Standing rules">
          {rules.map((rule) => (
            <li key={rule.id} className="rule" data-testid="standing-rule">
              <div>
                <p>
                  <strong>{rule.program}</strong> for {rule.username}
                </p>
                <p className="hint">Scopes: {scopesText(rule.scopes)}</p>
                <p className="hint">
                  Created {formatDateTime(rule.createdAt)} · {rule.lastUsedAt ? `last used ${formatDateTime(rule.lastUsedAt)}` : 'not used yet'}
                </p>
              </div>
              <button
                type="button"
                className="danger"
                disabled={revoking === rule.id}
                aria-label={`Revoke the rule for ${rule.program} (${rule.username})`}
                onClick={async () => {
                  setRevoking(rule.id);
                  await revokeStandingRule(rule.id);
                  setRevoking(null);
                }}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}

      <h3>Install</h3>
      {tool ? (
        <p data-testid="tool-status">
          {tool.installed ? (
            <>
              Installed at <code>{tool.installPath}</code>.
            </>
          ) : (
            <>
              Puts a tessera command at <code>{tool.installPath}</code>.
            </>
          )}{' '}
          {tool.onPath ? 'That folder is on your PATH.' : null}
        </p>
      ) : null}
      {tool && tool.installed && !tool.onPath ? (
        <p className="notice" data-testid="path-advice">
          That folder is not on the PATH Tessera was started with. Add it in your shell’s profile: <code>{pathAdvice(tool, windows)}</code>
        </p>
      ) : null}
      {installError ? (
        <p className="error-box" role="alert" data-testid="install-error">
          {installErrorText(installError, tool)}
        </p>
      ) : null}
      <div>
        <button
          type="button"
          disabled={installing}
          onClick={async () => {
            setInstalling(true);
            setInstallError(null);
            const outcome = await installCommandLineTool();
            setInstalling(false);
            if (outcome.error) setInstallError(outcome.error);
          }}
        >
          {installing ? 'Installing…' : 'Install command-line tool'}
        </button>
      </div>

      <h3>Try it</h3>
      {COPY_LINES.map((line) => (
        <CopyLine key={line} line={line} />
      ))}
    </section>
  );
}
