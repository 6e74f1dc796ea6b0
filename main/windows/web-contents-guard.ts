/**
 * Electron adapter: the backstop applied to every `webContents` the app ever creates.
 *
 * Windows harden themselves (`main-window.ts`, the embedded sign-in broker); this guard makes sure
 * nothing slips through if one forgets: no `<webview>`, no `window.open`, no permission grants,
 * and no navigation of the app's own session. Sign-in windows live in their own session
 * partitions and must browse the provider's pages, so they may navigate — to https (or loopback
 * http) only.
 */
import { app, session, type WebContents } from 'electron';
import { decideNavigation, isSignInNavigationAllowed } from './policy';

/** Installs the guard; call once, before any window is created. */
export function installWebContentsGuard(options: { openExternal(url: string): void }): void {
  denyAllPermissions();
  app.on('web-contents-created', (_event, contents) => guard(contents, options));
}

function guard(contents: WebContents, options: { openExternal(url: string): void }): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAppSession(contents)) {
      const decision = decideNavigation(url);
      if (decision.kind === 'open-external') options.openExternal(decision.url);
    }
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isAppSession(contents) || !isSignInNavigationAllowed(event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    // Subframes: the app has none; sign-in pages may have https ones.
    if (event.isMainFrame) return;
    if (isAppSession(contents) || !isSignInNavigationAllowed(event.url)) event.preventDefault();
  });
}

function isAppSession(contents: WebContents): boolean {
  return contents.session === session.defaultSession;
}

/** The app's UI needs no permission at all (no camera, notifications, clipboard reads, …). */
function denyAllPermissions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}
