/**
 * Electron adapter: the embedded sign-in window broker.
 *
 * All Electron-dependent sign-in code lives in this file; the rules it follows are in
 * docs/auth-protocol.md ("Sign-in windows").
 */
import { BrowserWindow, session, type Event, type Session, type WebContentsWillNavigateEventParams, type WebContentsWillRedirectEventParams } from 'electron';
import { InteractionError, type AuthorizationBroker, type BrokerOpenOptions } from '../auth';
import { matchesRedirect } from './broker';

/** Options of {@link EmbeddedWindowBroker}. */
export interface EmbeddedWindowBrokerOptions {
  /** Session partition, from `signInPartitionFor(accountKey)`; never the app UI's session. */
  readonly partition: string;
  /** Window to attach the sign-in window to. */
  readonly parent?: BrowserWindow;
  /** Default flow time limit; defaults to 10 minutes. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * {@link AuthorizationBroker} that shows the provider's page in an app window.
 *
 * The window has its own session partition, no preload, `sandbox`, `contextIsolation`, no
 * `nodeIntegration`; every permission request is denied, `window.open` is denied, certificate
 * errors are refused, and the title shows the host of the current page. The redirect is caught
 * before it loads (`will-redirect`, `will-navigate`, and a `webRequest` backstop for anything
 * else), so the code never reaches a server. Closing the window rejects with
 * `InteractionError('user_cancelled')`; a stale flow with `interaction_timeout`.
 */
export class EmbeddedWindowBroker implements AuthorizationBroker {
  readonly kind = 'embedded';
  readonly #options: EmbeddedWindowBrokerOptions;

  constructor(options: EmbeddedWindowBrokerOptions) {
    this.#options = options;
  }

  /** Opens `url` in a new sign-in window and resolves with the redirect URL. */
  open(url: string, redirectUri: string, options: BrokerOpenOptions = {}): Promise<string> {
    const ses = hardenedSession(this.#options.partition);
    const win = new BrowserWindow({
      width: 520,
      height: 720,
      parent: this.#options.parent,
      modal: false,
      show: true,
      autoHideMenuBar: true,
      title: 'Sign in',
      webPreferences: {
        session: ses,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
        safeDialogs: true,
        spellcheck: false,
      },
    });
    const contents = win.webContents;

    return new Promise<string>((resolve, reject) => {
      let done = false;
      const finish = (outcome: { url: string } | { error: InteractionError }): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        ses.webRequest.onBeforeRequest(null);
        if (!win.isDestroyed()) win.destroy();
        if ('url' in outcome) resolve(outcome.url);
        else reject(outcome.error);
      };
      const timer = setTimeout(
        () => finish({ error: new InteractionError('interaction_timeout', 'The sign-in took too long and was stopped. Try again.') }),
        options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
      const onAbort = (): void => finish({ error: new InteractionError('user_cancelled', 'The sign-in was cancelled.') });
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });

      const catchRedirect = (event: Event<WebContentsWillRedirectEventParams> | Event<WebContentsWillNavigateEventParams>): void => {
        if (!matchesRedirect(event.url, redirectUri)) return;
        // Stop before the request leaves: the redirect URI may not even have a server.
        event.preventDefault();
        finish({ url: event.url });
      };
      contents.on('will-redirect', catchRedirect);
      contents.on('will-navigate', catchRedirect);
      // Backstop for navigations the events above do not report (subframes, form posts, ...).
      ses.webRequest.onBeforeRequest((details, callback) => {
        if (matchesRedirect(details.url, redirectUri)) {
          callback({ cancel: true });
          finish({ url: details.url });
          return;
        }
        callback({});
      });

      contents.setWindowOpenHandler(() => ({ action: 'deny' }));
      contents.on('certificate-error', (event, _url, _error, _certificate, callback) => {
        event.preventDefault();
        callback(false);
      });
      // Show where the user is typing their password.
      const showHost = (): void => {
        if (win.isDestroyed()) return;
        try {
          win.setTitle(`Sign in – ${new URL(contents.getURL()).host}`);
        } catch {
          win.setTitle('Sign in');
        }
      };
      contents.on('page-title-updated', (event) => event.preventDefault());
      contents.on('did-navigate', showHost);
      contents.on('did-navigate-in-page', showHost);
      win.on('closed', () => finish({ error: new InteractionError('user_cancelled', 'The sign-in window was closed.') }));

      contents.loadURL(url).catch((cause: unknown) => {
        // ERR_ABORTED is our own preventDefault on the redirect, or a page replacing its load.
        if (done || (cause as { code?: string }).code === 'ERR_ABORTED') return;
        finish({ error: new InteractionError('broker_error', 'The sign-in page could not be loaded. Check the connection and the provider address.', { cause }) });
      });
    });
  }
}

function hardenedSession(partition: string): Session {
  const ses = session.fromPartition(partition);
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  return ses;
}

/**
 * Deletes everything a sign-in partition holds (cookies, storage, cache, HTTP auth).
 *
 * Called when an account is removed, so its provider session does not outlive it.
 */
export async function clearPartition(partition: string): Promise<void> {
  const ses = session.fromPartition(partition);
  await ses.clearStorageData();
  await ses.clearCache();
  await ses.clearAuthCache();
}
