/**
 * The consent prompt: a program asked the `tessera` command (or kubectl, git, an Azure SDK through
 * it) for a token, and waits for the person's answer. One prompt at a time, oldest first.
 *
 * What the caller reported about itself is shown under a heading that says so: any program running
 * as the same user can claim any name, folder or terminal (README, "Security model").
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ConsentChoice, ConsentPrompt } from '../../preload/contract';
import { Dialog } from '../common/dialog';
import { formatDateTime } from '../common/format';
import { useAppStore } from '../store';
import { integrationLabel, scopesText } from './bridge-labels';
import './consent.css';

/**
 * How long the "Allow" buttons stay disabled after a prompt appears. A prompt can pop up while the
 * person is clicking or typing elsewhere; a click or Enter meant for something else must not
 * grant a token (browsers delay their own permission and download buttons for the same reason).
 */
export const ALLOW_DELAY_MS = 600;

function Fact({ term, value }: { readonly term: string; readonly value: string | undefined }): ReactNode {
  if (!value) return null;
  return (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
}

/** Props of {@link ConsentDialog}. */
export interface ConsentDialogProps {
  readonly prompt: ConsentPrompt;
  /** How many other prompts wait behind this one. */
  readonly others: number;
}

/** One prompt and its four answers. */
export function ConsentDialog({ prompt, others }: ConsentDialogProps): ReactNode {
  const answerConsent = useAppStore((state) => state.answerConsent);
  const answering = useAppStore((state) => state.answeringPrompt === prompt.id);
  const [armed, setArmed] = useState(false);
  const reportedId = useId();
  const sessionHintId = useId();
  const alwaysHintId = useId();
  const { caller } = prompt;

  useEffect(() => {
    const timer = setTimeout(() => setArmed(true), ALLOW_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);

  const answer = (choice: ConsentChoice): void => {
    if (answering) return;
    void answerConsent(prompt.id, choice);
  };
  const allowDisabled = !armed || answering;

  return (
    // Escape (and the × button) answer "Deny", and the Deny button says so. Of the choices this is
    // the safe one: no token leaves the app and the program can simply ask again, while an Escape
    // that did nothing would leave a keyboard user stuck in a modal they cannot leave without
    // choosing, and one that only hid the prompt would leave the program waiting until it times out.
    // A stray click on the backdrop does nothing: that is too easy to do by accident.
    <Dialog title="A program asks for a token" onClose={() => answer('deny')} closeLabel="Deny and close" closeOnBackdrop={false} testId="consent">
      <div className="consent">
        <p className="consent-account">
          For <strong>{prompt.username}</strong> ({prompt.profileName}), scopes <code className="consent-scopes">{scopesText(prompt.scopes)}</code>
        </p>
        <section className="consent-reported" aria-labelledby={reportedId}>
          <h3 id={reportedId}>Reported by the caller</h3>
          <p className="hint">Any program running as you could claim these details. Allow only a request you just started yourself.</p>
          <dl className="facts">
            <Fact term="Program" value={caller.pid ? `${caller.program} (process ${caller.pid})` : caller.program} />
            <Fact term="Command line" value={caller.command} />
            <Fact term="Parent process" value={caller.parentProgram} />
            <Fact term="Terminal" value={caller.tty ?? 'none (not run from a terminal)'} />
            <Fact term="Working folder" value={caller.cwd} />
            <Fact term="Through" value={integrationLabel(prompt.integration)} />
            <Fact term="Asked at" value={formatDateTime(prompt.requestedAt)} />
          </dl>
        </section>
        {others > 0 ? (
          <p className="consent-queue" data-testid="consent-queue">
            {others === 1 ? '1 more request is waiting after this one.' : `${others} more requests are waiting after this one.`}
          </p>
        ) : null}
        <div className="consent-choices">
          <button type="button" className="primary" disabled={allowDisabled} onClick={() => answer('once')}>
            Allow once
          </button>
          {prompt.hasTerminal ? (
            <div className="consent-choice">
              <button type="button" disabled={allowDisabled} aria-describedby={sessionHintId} onClick={() => answer('session')}>
                Allow this terminal session
              </button>
              <p className="hint" id={sessionHintId}>
                Further requests from {caller.tty ?? 'this terminal'} for this account and these scopes are allowed until it has been idle for 10 minutes, for 12 hours at most, or until Tessera quits.
              </p>
            </div>
          ) : null}
          <div className="consent-choice">
            <button type="button" disabled={allowDisabled} aria-describedby={alwaysHintId} onClick={() => answer('always')}>
              Always allow {caller.program} for this account and these scopes
            </button>
            <p className="hint" id={alwaysHintId}>
              A standing rule, listed in Settings, where you can revoke it.
            </p>
          </div>
          {/* Focus starts here: an Enter or Space meant for something else denies, which is safe. */}
          <button type="button" className="danger" data-autofocus disabled={answering} aria-keyshortcuts="Escape" onClick={() => answer('deny')}>
            Deny{' '}
            <kbd className="key-hint" aria-hidden="true">
              Esc
            </kbd>
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** Shows the oldest waiting prompt, if any; a new prompt gets a fresh dialog (focus starts over). */
export function ConsentHost(): ReactNode {
  const prompt = useAppStore((state) => state.consentPrompts[0]);
  const others = useAppStore((state) => Math.max(0, state.consentPrompts.length - 1));
  if (!prompt) return null;
  return <ConsentDialog key={prompt.id} prompt={prompt} others={others} />;
}
