/**
 * The page `bench/ui.ts` drives in Chromium: the real app (renderer/app.tsx, its store and its
 * styles) over an in-memory `RendererApi` holding N accounts, plus two timers on `window.uiBench`.
 *
 * - `firstRender()` mounts the app with the accounts already in the store and returns the time from
 *   `render` to the DOM committed and laid out (React render + commit + style + layout, forced by
 *   reading `offsetHeight`; painting is the compositor's and is not included).
 * - A keystroke in the filter is timed from its `keydown` (capture, before React sees it) to the
 *   filtered list committed and laid out, read in the `input` event itself: the listener sits on
 *   the document, so it runs after React's listener on the root, and React renders and commits a
 *   discrete event's update in the microtask checkpoint between the two (the row count and the
 *   filter text are recorded with the time, so bench/ui.ts checks the list was already filtered).
 *   The time to the next task after the event is kept too, for comparison with earlier runs: it
 *   adds Chromium's scheduling after input (tasks wait for the keyup and the next frame, up to
 *   16.7 ms at 60 Hz), which no work in the page can shorten. React's deferred render of the
 *   list's overscan rows (virtual-list.tsx) is queued before it, so it is done by then: the row
 *   count is recorded there too.
 */
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import type { AccountView, AppInfo, BridgeStatus, ProviderProfile, RendererApi, Result, Settings, StorageStatus } from '../../preload/contract';
import { App } from '../../renderer/app';
import { createAppStore, StoreContext } from '../../renderer/store';
import '../../renderer/styles.css';

const PROVIDERS = 4;

function ok<T>(value: T): Promise<Result<T>> {
  return Promise.resolve({ ok: true, value });
}

function makeData(count: number): { accounts: AccountView[]; profiles: ProviderProfile[] } {
  const now = Math.floor(Date.now() / 1000);
  const profiles: ProviderProfile[] = Array.from({ length: PROVIDERS }, (_, i) => ({
    id: `p${i}`,
    name: `Provider ${i}`,
    kind: i === 0 ? 'entra' : 'oidc',
    preset: i === 0 ? 'entra' : 'custom-oidc',
    clientId: `client-${i}`,
    authority: `https://idp${i}.example.com`,
    defaultScopes: ['api://bench/read'],
    signInMethod: 'system-browser',
  }));
  const accounts: AccountView[] = Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(4, '0');
    const profile = profiles[i % PROVIDERS] as ProviderProfile;
    const status: AccountView['status'] =
      i % 10 === 3 ? { kind: 'needs-sign-in', reason: 'The refresh token was revoked. Sign in again.' } : { kind: 'valid', expiresOn: now + 600 + (i % 50) * 60 };
    return {
      id: `acc-${n}`,
      profileId: profile.id,
      profileName: profile.name,
      providerKind: profile.kind,
      username: `user${n}@contoso.com`,
      ...(i % 3 === 0 ? { displayName: `User ${n} Example` } : {}),
      tenant: `tenant${i % PROVIDERS}.example.com`,
      status,
      pinned: i % 7 === 0,
      storage: 'encrypted',
    };
  });
  return { accounts, profiles };
}

const SETTINGS: Settings = { clipboardClearSeconds: 60, defaultSignInMethod: 'system-browser', linuxPasswordStore: 'auto', allowWeakEncryption: false, autoRefreshLeadMinutes: 5 };
const STORAGE: StorageStatus = { mode: 'encrypted', backend: 'bench' };
const APP_INFO: AppInfo = { version: 'bench', platform: 'bench', mode: 'browser', demoProviderAvailable: false };
// The bench starts no token bridge: the status says so, as main's BridgeApi does when it is off.
const BRIDGE: BridgeStatus = {
  running: false,
  reason: 'The bench runs without the token bridge.',
  defaultAccountId: null,
  commandLineTool: { installPath: '/bench/bin/tessera', installed: false, onPath: false },
};

// The same objects on every call, as main's answers would compare equal: a reload changes nothing.
function createMemoryApi(accounts: AccountView[], profiles: ProviderProfile[]): RendererApi {
  const refuse = () => Promise.resolve({ ok: false as const, error: { code: 'unsupported' as const, message: 'Not available in the bench.' } });
  return {
    getAppInfo: () => ok(APP_INFO),
    listPresets: () => ok([]),
    listProfiles: () => ok(profiles),
    validateProfile: refuse,
    saveProfile: refuse,
    deleteProfile: refuse,
    listAccounts: () => ok(accounts),
    addAccount: refuse,
    cancelSignIn: () => ok(undefined),
    reauthenticate: refuse,
    copyDeviceCode: refuse,
    signInForScopes: refuse,
    removeAccount: refuse,
    refreshAccount: refuse,
    setPinned: refuse,
    copyToken: refuse,
    revealToken: refuse,
    getIdToken: refuse,
    getSettings: () => ok(SETTINGS),
    updateSettings: refuse,
    getStorageStatus: () => ok(STORAGE),
    getBridgeStatus: () => ok(BRIDGE),
    listConsentPrompts: () => ok([]),
    answerConsent: () => Promise.resolve({ ok: false as const, error: { code: 'not_found' as const, message: 'This request is no longer waiting.' } }),
    listStandingRules: () => ok([]),
    revokeStandingRule: () => Promise.resolve({ ok: false as const, error: { code: 'not_found' as const, message: 'This standing rule no longer exists.' } }),
    listActivity: () => ok([]),
    setDefaultAccount: refuse,
    installCommandLineTool: refuse,
    onEvent: () => () => undefined,
  } as RendererApi;
}

/** One timed keystroke. */
export interface Keystroke {
  /** `keydown` → list committed and laid out, in ms. */
  readonly ms: number;
  /** `keydown` → the next task after the `input` event (the method of runs before 2026-12-01). */
  readonly nextTaskMs: number;
  /** The filter's text and the account rows in the DOM when `ms` was read. */
  readonly value: string;
  readonly rows: number;
  /** The account rows in the DOM at the next task, after the list's deferred overscan render. */
  readonly nextTaskRows: number;
}

declare global {
  interface Window {
    uiBench: {
      firstRender(count: number): { ms: number; rows: number; spacerPx: number };
      mount(count: number): void;
      keystrokes(): Keystroke[];
      visibleUsernames(): string[];
    };
  }
}

const container = document.getElementById('root') as HTMLElement;
let mounted: Root | undefined;
const keystrokes: Keystroke[] = [];
let keyStart = 0;
let pending: Omit<Keystroke, 'nextTaskMs' | 'nextTaskRows'> | undefined;
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  void container.offsetHeight;
  if (pending) keystrokes.push({ ...pending, nextTaskMs: performance.now() - keyStart, nextTaskRows: container.querySelectorAll('.account-row').length });
  pending = undefined;
};
document.addEventListener('keydown', () => (keyStart = performance.now()), true);
document.addEventListener('input', (event) => {
  // Forces style and layout of what React just committed, then reads the clock.
  void container.offsetHeight;
  const ms = performance.now() - keyStart;
  pending = { ms, value: (event.target as HTMLInputElement).value, rows: container.querySelectorAll('.account-row').length };
  channel.port2.postMessage(null);
});

function render(count: number): number {
  mounted?.unmount();
  const { accounts, profiles } = makeData(count);
  const api = createMemoryApi(accounts, profiles);
  const store = createAppStore(api);
  store.setState({ accounts, accountsLoaded: true, profiles, settings: SETTINGS, storage: STORAGE, appInfo: APP_INFO });
  const root = createRoot(container);
  mounted = root;
  const start = performance.now();
  flushSync(() =>
    root.render(
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>,
    ),
  );
  void container.offsetHeight;
  return performance.now() - start;
}

window.uiBench = {
  firstRender(count) {
    const ms = render(count);
    const rows = container.querySelectorAll('.account-row').length;
    const spacer = container.querySelector<HTMLElement>('.virtual-spacer');
    return { ms, rows, spacerPx: spacer ? spacer.offsetHeight : 0 };
  },
  mount(count) {
    render(count);
    keystrokes.length = 0;
  },
  keystrokes: () => [...keystrokes],
  visibleUsernames: () => [...container.querySelectorAll('.account-row')].map((row) => (row.getAttribute('aria-label') ?? '').replace(/^Account /, '')),
};
