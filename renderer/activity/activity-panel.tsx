/**
 * The Activity view: every token the bridge handed out and every request it refused, newest
 * first — when, which caller, account, scopes, integration, how it was allowed or why not. Never a
 * token: the entries carry none (preload/contract.ts, ActivityEntry).
 *
 * Main keeps up to 1,000 entries; the view shows them a page at a time ("Show older"), so opening
 * it and each live update stay cheap without windowing variable-height entries.
 */
import { memo, useState, type ReactNode } from 'react';
import type { ActivityEntry } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { formatDateTime } from '../common/format';
import { useNow } from '../common/use-now';
import { basisLabel, formatAgo, integrationLabel, refusalLabel, scopesText } from '../consent/bridge-labels';
import '../consent/consent.css';
import { useAppStore } from '../store';

/** Entries shown per page. */
export const ACTIVITY_PAGE = 100;

const Entry = memo(function Entry({ entry, now }: { readonly entry: ActivityEntry; readonly now: number }): ReactNode {
  const { caller } = entry;
  const outcome = entry.outcome === 'handed-out' ? basisLabel(entry.basis) : refusalLabel(entry.code);
  const when = formatDateTime(entry.at);
  return (
    <li className={`activity-entry ${entry.outcome}`} data-testid="activity-entry" aria-label={`${outcome}: ${caller.program} for ${entry.username}, ${formatAgo(entry.at, now)}`}>
      <div className="activity-head">
        <strong>{outcome}</strong>
        <time dateTime={new Date(entry.at).toISOString()} title={when}>
          {formatAgo(entry.at, now)}
        </time>
      </div>
      <dl className="facts">
        <dt>Program</dt>
        <dd>
          {caller.program}
          {caller.pid ? ` (process ${caller.pid})` : ''}
          {caller.parentProgram ? `, started by ${caller.parentProgram}` : ''}
        </dd>
        {caller.tty ? (
          <>
            <dt>Terminal</dt>
            <dd>{caller.tty}</dd>
          </>
        ) : null}
        {caller.cwd ? (
          <>
            <dt>Folder</dt>
            <dd>{caller.cwd}</dd>
          </>
        ) : null}
        <dt>Account</dt>
        <dd>{entry.username}</dd>
        <dt>Scopes</dt>
        <dd>{scopesText(entry.scopes)}</dd>
        <dt>Through</dt>
        <dd>{integrationLabel(entry.integration)}</dd>
      </dl>
    </li>
  );
});

/** The Activity panel. */
export function ActivityPanel(): ReactNode {
  const activity = useAppStore((state) => state.activity);
  const running = useAppStore((state) => state.bridgeStatus?.running);
  const closePanel = useAppStore((state) => state.closePanel);
  const [shown, setShown] = useState(ACTIVITY_PAGE);
  // "3 min ago" stays true while the panel is open.
  const now = useNow(15_000);
  const visible = activity.slice(0, shown);
  return (
    <Dialog title="Activity" onClose={closePanel} variant="side" testId="activity">
      <p className="hint">
        Tokens handed to programs through the tessera command (and kubectl, git and the Azure SDKs through it), and requests refused, newest first. The
        details of each program are as it reported them.
      </p>
      {activity.length === 0 ? (
        <p className="muted" data-testid="activity-empty">
          {running === false ? 'Nothing yet: the token bridge is not running (see Settings).' : 'Nothing yet: no program has asked for a token.'}
        </p>
      ) : (
        <ol className="activity-list" aria-label="Token hand-outs and refusals">
          {visible.map((entry) => (
            <Entry key={entry.id} entry={entry} now={now} />
          ))}
        </ol>
      )}
      {activity.length > shown ? (
        <button type="button" className="link" onClick={() => setShown((count) => count + ACTIVITY_PAGE)}>
          Show older ({activity.length - shown} more)
        </button>
      ) : null}
    </Dialog>
  );
}
