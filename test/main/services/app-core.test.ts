/**
 * The app core end to end in Node: the real test identity provider, Chromium driving its login page
 * through the system-browser (loopback) broker, the AES-GCM key-file cipher and JSON file stores.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppEvent, ProfileDraft, ProviderProfile, SignInProgress } from '../../../preload/contract';
import { LoopbackBroker } from '../../../main/brokers/loopback-broker';
import { RecordingClipboard } from '../../../main/clipboard/clipboard';
import type { Timers } from '../../../main/clipboard/clipboard-service';
import type { Cipher } from '../../../main/persistence/cipher';
import { KeyFileCipher } from '../../../main/persistence/key-file-cipher';
import { ConfStore } from '../../../main/persistence/settings-store';
import { createAppCore, type AppCore } from '../../../main/services/app-core';
import { AppError } from '../../../main/services/errors';
import { CHROMIUM_MISSING, findChromium, launchChromium, newLoopbackContext, signInThroughLoginPage } from '../../support/browser';
import { ManualTimers } from '../../support/manual-timers';
import { BasicTextCipher } from '../../support/weak-ciphers';
import { DEFAULT_CLIENTS, DEFAULT_USERS, PUBLIC_CLIENT_ID, startTestIdp, type TestIdp, type TestUser } from '../../support/idp';

// Entra client ids are GUIDs; the test IdP gets one registered like its public client.
const ENTRA_CLIENT_ID = '3f2b6a1e-8c4d-4e7f-9a0b-1c2d3e4f5a6b';

const chromiumPath = findChromium();
if (!chromiumPath) console.log(`app-core browser tests skipped: ${CHROMIUM_MISSING}`);

function waitFor<T extends AppEvent['type']>(core: AppCore, type: T, predicate: (e: Extract<AppEvent, { type: T }>) => boolean = () => true): Promise<Extract<AppEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event`));
    }, 20_000);
    const off = core.subscribe((event) => {
      if (event.type === type && predicate(event as Extract<AppEvent, { type: T }>)) {
        clearTimeout(timer);
        off();
        resolve(event as Extract<AppEvent, { type: T }>);
      }
    });
  });
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-core-'));
  tempDirs.push(dir);
  return dir;
}

describe('app core with the test identity provider', () => {
  let idp: TestIdp;
  let browser: Browser | undefined;
  const drives: Promise<unknown>[] = [];
  // Who the "system browser" signs in as next; `ignore` leaves the page unanswered (user walked away).
  let nextUser: TestUser | 'ignore' = DEFAULT_USERS[0] as TestUser;
  const alice = DEFAULT_USERS[0] as TestUser;
  const bob = DEFAULT_USERS[1] as TestUser;

  const openExternal = (url: string): void => {
    const user = nextUser;
    if (user === 'ignore' || !browser) return;
    const run = (async () => {
      const context = await newLoopbackContext(browser!);
      try {
        const page = await context.newPage();
        await page.goto(url);
        await signInThroughLoginPage(page, user);
        await page.getByText('You can close this tab').waitFor({ timeout: 15_000 });
      } finally {
        await context.close();
      }
    })();
    drives.push(run.catch(() => undefined));
  };

  interface CoreOptions {
    readonly cipher?: Cipher;
    readonly timers?: Timers;
    readonly clipboard?: RecordingClipboard;
    readonly cleared?: string[];
  }

  async function makeCore(dir: string, options: CoreOptions = {}): Promise<{ core: AppCore; clipboard: RecordingClipboard; settings: ConfStore }> {
    const settings = new ConfStore(join(dir, 'settings.json'));
    const clipboard = options.clipboard ?? new RecordingClipboard();
    const core = await createAppCore({
      mode: 'browser',
      version: '0.0.0-test',
      settingsStore: settings,
      cacheStorage: { cipher: options.cipher ?? new KeyFileCipher(join(dir, 'cache.key')), backupDir: join(dir, 'backups') },
      clipboard,
      brokers: { systemBrowser: () => new LoopbackBroker({ openExternal, closeGraceMs: 1_000 }) },
      clearSignInSession: (key) => void options.cleared?.push(key),
      verifyFor: () => idp.caPath,
      instanceDiscoveryFor: (profile) => (profile.kind === 'entra' ? idp.instanceDiscoveryUrl : undefined),
      ...(options.timers ? { timers: options.timers } : {}),
      signInTimeoutMs: 30_000,
    });
    return { core, clipboard, settings };
  }

  const oidcDraft = (): ProfileDraft => ({
    name: 'Demo OIDC',
    kind: 'oidc',
    preset: 'custom-oidc',
    clientId: PUBLIC_CLIENT_ID,
    authority: idp.oidcIssuer,
    defaultScopes: ['api://tessera-demo/read'],
    signInMethod: 'system-browser',
  });
  const entraDraft = (): ProfileDraft => ({
    name: 'Contoso (Entra-like)',
    kind: 'entra',
    preset: 'entra',
    clientId: ENTRA_CLIENT_ID,
    authority: idp.entraAuthority(),
    defaultScopes: ['User.Read'],
    signInMethod: 'system-browser',
  });

  beforeAll(async () => {
    const publicClient = DEFAULT_CLIENTS.find((c) => c.clientId === PUBLIC_CLIENT_ID)!;
    idp = await startTestIdp({
      clients: [
        ...DEFAULT_CLIENTS.map((c) => ({ ...c, redirectUris: [...c.redirectUris] })),
        { ...publicClient, clientId: ENTRA_CLIENT_ID, redirectUris: [...publicClient.redirectUris] },
      ],
    });
    if (chromiumPath) browser = await launchChromium({ caCertPem: idp.caCertPem });
  });

  afterAll(async () => {
    await Promise.all(drives);
    await browser?.close();
    await idp?.stop();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('without a browser', () => {
    it('validates profile fields and checks discovery through the auth core', async () => {
      const { core } = await makeCore(tempDir());
      const good = await core.validateProfile(oidcDraft());
      expect(good).toEqual({ valid: true, fieldErrors: {}, issuer: idp.oidcIssuer });
      const entra = await core.validateProfile(entraDraft());
      expect(entra.valid).toBe(true);
      expect(entra.issuer).toBe(idp.entraIssuer());

      const unreachable = await core.validateProfile({ ...oidcDraft(), authority: `${idp.origin}/no-such-issuer` });
      expect(unreachable.valid).toBe(false);
      expect(unreachable.fieldErrors.authority).toMatch(/OpenID configuration/);

      const bad = await core.validateProfile({
        ...entraDraft(),
        clientId: 'not-a-guid',
        authority: 'http://login.example.com/contoso',
        defaultScopes: ['User.Read', 'offline_access'],
      });
      expect(bad.valid).toBe(false);
      expect(Object.keys(bad.fieldErrors).sort()).toEqual(['authority', 'clientId', 'defaultScopes']);
      expect(bad.fieldErrors.authority).toMatch(/https/);
      await core.dispose();
    });

    it('saves profiles in the settings store, offers presets without a baked-in Microsoft client id', async () => {
      const dir = tempDir();
      const { core } = await makeCore(dir);
      const presets = await core.listPresets();
      expect(presets.map((p) => p.id)).toEqual(['entra', 'google', 'okta', 'auth0', 'keycloak', 'custom-oidc']);
      const google = presets.find((p) => p.id === 'google')!;
      expect(google.signInMethod).toBe('system-browser');
      expect(google.extraAuthorizeParameters).toEqual({ access_type: 'offline', prompt: 'consent' });
      expect(JSON.stringify(presets)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);

      const saved = await core.saveProfile({ ...oidcDraft(), preset: 'google', signInMethod: 'embedded' });
      expect(saved.signInMethod).toBe('system-browser'); // Google never gets an embedded window
      await expect(core.saveProfile({ ...oidcDraft(), clientId: '' })).rejects.toMatchObject({ code: 'invalid_profile' });
      await core.dispose();

      const again = await makeCore(dir);
      expect((await again.core.listProfiles()).map((p) => p.id)).toEqual([saved.id]);
      await again.core.deleteProfile(saved.id);
      expect(await again.core.listProfiles()).toEqual([]);
      await again.core.dispose();
    });

    it('offers the demo provider only when the host supplies it', async () => {
      const dir = tempDir();
      const settings = new ConfStore(join(dir, 'settings.json'));
      const demo: ProviderProfile = { id: 'x', name: 'Local demo', kind: 'oidc', preset: 'demo', clientId: PUBLIC_CLIENT_ID, authority: idp.oidcIssuer, defaultScopes: ['api://tessera-demo/read'], signInMethod: 'system-browser' };
      const core = await createAppCore({
        mode: 'browser',
        version: '1',
        settingsStore: settings,
        cacheStorage: { cipher: new KeyFileCipher(join(dir, 'k')), backupDir: join(dir, 'b') },
        clipboard: new RecordingClipboard(),
        brokers: { systemBrowser: () => new LoopbackBroker({ openExternal }) },
        demoProfile: demo,
      });
      expect((await core.getAppInfo()).demoProviderAvailable).toBe(true);
      expect((await core.listProfiles())[0]).toMatchObject({ id: 'demo', builtIn: true });
      expect((await core.listPresets()).find((p) => p.id === 'demo')?.ready?.clientId).toBe(PUBLIC_CLIENT_ID);
      await expect(core.deleteProfile('demo')).rejects.toMatchObject({ code: 'builtin_profile' });
      await core.dispose();
    });

    it('refuses the embedded window in browser mode with a clear error', async () => {
      const { core } = await makeCore(tempDir());
      const profile = await core.saveProfile({ ...entraDraft(), signInMethod: 'embedded' });
      const error = await rejection(core.addAccount({ profileId: profile.id }));
      expect(error.code).toBe('embedded_unavailable');
      expect(error.message).toMatch(/system browser/);
      await core.dispose();
    });

    it('reports a quarantined settings file, and memory-only storage with a reason for a weak cipher', async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'settings.json'), '{ not json');
      const { core } = await makeCore(dir, { cipher: new BasicTextCipher() });
      const status = core.storageStatus();
      expect(status.mode).toBe('memory-only');
      expect(status.backend).toBe('basic_text');
      expect(status.reason).toMatch(/memory only/);
      expect(status.quarantinedFile).toMatch(/settings\.json\.corrupt-/);
      expect(existsSync(status.quarantinedFile!)).toBe(true);
      expect(await core.getStorageStatus()).toEqual(status);
      await core.dispose();
    });
  });

  describe('a token cache in a file of its own', () => {
    it('reports the cache file as quarantined when it does not parse, and starts with an empty cache', async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'token-cache.json'), '{ not json');
      const core = await createAppCore({
        mode: 'electron',
        version: '1',
        settingsStore: new ConfStore(join(dir, 'settings.json')),
        cacheStorage: { cipher: new KeyFileCipher(join(dir, 'k')), backupDir: join(dir, 'b'), store: new ConfStore(join(dir, 'token-cache.json')) },
        clipboard: new RecordingClipboard(),
        brokers: { systemBrowser: () => new LoopbackBroker({ openExternal }) },
      });
      const status = core.storageStatus();
      expect(status.quarantinedFile).toMatch(/token-cache\.json\.corrupt-/);
      expect(readFileSync(status.quarantinedFile!, 'utf8')).toBe('{ not json');
      expect(await core.listAccounts()).toEqual([]);
      await core.dispose();
    });
  });

  describe.skipIf(!chromiumPath)('through Chromium and the system-browser broker', () => {
    const dir = (() => mkdtempSync(join(tmpdir(), 'tessera-core-main-')))();
    tempDirs.push(dir);
    let core: AppCore;
    let clipboard: RecordingClipboard;
    let oidcProfile: ProviderProfile;
    let entraProfile: ProviderProfile;
    let aliceId: string;
    let bobId: string;

    it('adds an account through the system browser and copies a live token, raw and as a header', async () => {
      ({ core, clipboard } = await makeCore(dir));
      oidcProfile = await core.saveProfile(oidcDraft());
      const progress: SignInProgress['kind'][] = [];
      core.subscribe((e) => void (e.type === 'sign-in-progress' && progress.push(e.progress.kind)));
      const changed = waitFor(core, 'accounts-changed');

      nextUser = alice;
      const account = await core.addAccount({ profileId: oidcProfile.id });
      aliceId = account.id;
      expect(progress).toEqual(['waiting-for-user', 'redeeming', 'done']);
      expect((await changed).accounts.map((a) => a.id)).toEqual([aliceId]);
      expect(account).toMatchObject({ profileId: oidcProfile.id, username: alice.username, providerKind: 'oidc', pinned: false, storage: 'encrypted' });
      expect(account.status.kind).toBe('valid');

      idp.resetRequestCount();
      const raw = await core.copyToken({ accountId: aliceId, format: 'raw' });
      const token = clipboard.writes.at(-1)!.text;
      expect(clipboard.writes.at(-1)!.concealed).toBe(true);
      expect(raw.format).toBe('raw');
      expect(raw.clearsAt).toBeGreaterThan(Date.now() + 50_000);
      expect(raw.expiresOn).toBeGreaterThan(Date.now() / 1000 + 600);
      expect((await idp.introspect(token)).active).toBe(true);
      expect(jwtClaims(token)['sub']).toBe(alice.sub);

      const bearer = await core.copyToken({ accountId: aliceId, format: 'bearer' });
      expect(bearer.format).toBe('bearer');
      expect(clipboard.writes.at(-1)!.text).toBe(`Authorization: Bearer ${token}`);
      expect(idp.requestCount('/token')).toBe(0); // both copies came from the cache

      const revealed = await core.revealToken({ accountId: aliceId });
      expect(revealed).toMatchObject({ accessToken: token, source: 'cache', tokenType: 'Bearer' });

      // Nothing secret reaches the settings file in the clear.
      const file = readFileSync(join(dir, 'settings.json'), 'utf8');
      expect(file).not.toContain(token);
      expect(file).not.toContain('"secret"');
      expect(core.trayModel().items).toEqual([
        { kind: 'account', accountId: aliceId, label: `${alice.username} — Demo OIDC`, status: account.status },
        { kind: 'separator' },
        { kind: 'open' },
        { kind: 'quit' },
      ]);
    });

    it('keeps two providers side by side with separate accounts', async () => {
      entraProfile = await core.saveProfile(entraDraft());
      nextUser = bob;
      const bobAccount = await core.addAccount({ profileId: entraProfile.id, method: 'system-browser' });
      bobId = bobAccount.id;
      expect(bobAccount).toMatchObject({ providerKind: 'entra', username: bob.username, tenant: idp.tenantId() });
      const accounts = await core.listAccounts();
      expect(accounts.map((a) => [a.profileId, a.username])).toEqual([
        [oidcProfile.id, alice.username],
        [entraProfile.id, bob.username],
      ]);

      await core.copyToken({ accountId: bobId, format: 'raw' });
      const bobToken = clipboard.writes.at(-1)!.text;
      await core.copyToken({ accountId: aliceId, format: 'raw' });
      const aliceToken = clipboard.writes.at(-1)!.text;
      expect(jwtClaims(bobToken)['iss']).toBe(idp.entraIssuer());
      expect(jwtClaims(aliceToken)['iss']).toBe(idp.oidcIssuer);
      expect((await idp.introspect(bobToken)).active).toBe(true);
      expect((await idp.introspect(aliceToken)).active).toBe(true);
      expect(core.trayModel().items.filter((i) => i.kind === 'account')).toHaveLength(2);
    });

    it('restarts with accounts back and serves a copy from the cache', async () => {
      await core.dispose();
      ({ core, clipboard } = await makeCore(dir));
      const accounts = await core.listAccounts();
      expect(accounts.map((a) => a.id)).toEqual([aliceId, bobId]);
      expect(accounts.every((a) => a.status.kind === 'valid')).toBe(true);
      idp.resetRequestCount();
      // The tray's entry: default scopes, raw token.
      const copied = await core.copyDefaultToken(aliceId);
      expect(copied.format).toBe('raw');
      expect(idp.requestCount('/token')).toBe(0);
      expect((await idp.introspect(clipboard.writes.at(-1)!.text)).active).toBe(true);
    });

    it('refreshes silently once when the access token has expired', async () => {
      await core.dispose();
      // Age every cached access token by editing the stored (encrypted) cache.
      const store = new ConfStore(join(dir, 'settings.json'));
      const cipher = new KeyFileCipher(join(dir, 'cache.key'));
      const record = store.get('tokenCache') as { v: 1; backend: string; ciphertext: string };
      const cache = JSON.parse(cipher.decrypt(Buffer.from(record.ciphertext, 'base64'))) as { AccessToken: Record<string, { expires_on: string }> };
      const past = String(Math.floor(Date.now() / 1000) - 30);
      for (const at of Object.values(cache.AccessToken)) at.expires_on = past;
      store.set('tokenCache', { ...record, ciphertext: cipher.encrypt(JSON.stringify(cache)).toString('base64') });

      ({ core, clipboard } = await makeCore(dir));
      expect((await core.listAccounts()).map((a) => a.status.kind)).toEqual(['expired', 'expired']);
      const refreshed = waitFor(core, 'token-refreshed', (e) => e.accountId === aliceId);
      const statuses: string[] = [];
      core.subscribe((e) => void (e.type === 'account-updated' && e.account.id === aliceId && statuses.push(e.account.status.kind)));
      idp.resetRequestCount();
      const result = await core.copyToken({ accountId: aliceId, format: 'raw' });
      expect(idp.requestCount('/token')).toBe(1);
      expect((await refreshed).expiresOn).toBe(result.expiresOn);
      expect(statuses).toEqual(['refreshing', 'valid']);
      expect((await idp.introspect(clipboard.writes.at(-1)!.text)).active).toBe(true);
    });

    it('marks an account with a dead refresh token as needs-sign-in, and re-authenticates it in one call', async () => {
      await idp.revokeGrantsFor(bob.username);
      const needs = waitFor(core, 'needs-sign-in', (e) => e.accountId === bobId);
      const error = await rejection(core.refreshAccount(bobId));
      expect(error.code).toBe('needs_sign_in');
      expect(error.message).toMatch(/sign in again/i);
      expect((await needs).reason).toBe(error.message);
      const view = (await core.listAccounts()).find((a) => a.id === bobId)!;
      expect(view.status).toEqual({ kind: 'needs-sign-in', reason: error.message });
      expect(view.lastError?.code).toBe('needs_sign_in');

      nextUser = bob;
      const back = await core.reauthenticate(bobId);
      expect(back.id).toBe(bobId);
      expect(back.status.kind).toBe('valid');
      expect(back.lastError).toBeUndefined();
      await core.copyToken({ accountId: bobId, format: 'raw' });
      expect((await idp.introspect(clipboard.writes.at(-1)!.text)).active).toBe(true);
    });

    it('keeps a backup and asks for sign-in when the cache no longer decrypts', async () => {
      await core.dispose();
      const copy = tempDir();
      cpSync(dir, copy, { recursive: true });
      rmSync(join(copy, 'cache.key'));
      const { core: other } = await makeCore(copy); // a new key: the old ciphertext is unreadable
      const status = other.storageStatus();
      expect(status.mode).toBe('encrypted');
      expect(status.undecryptableBackup).toMatch(/token-cache-[0-9a-f]{16}\.backup\.json$/);
      // The backup is the unreadable record itself, and the stored original is left in place.
      const storedIn = (folder: string): unknown => (JSON.parse(readFileSync(join(folder, 'settings.json'), 'utf8')) as Record<string, unknown>)['tokenCache'];
      const stored = storedIn(copy);
      expect(stored).toMatchObject({ v: 1, backend: 'aes-gcm-keyfile', ciphertext: expect.any(String) });
      expect(stored).toEqual(storedIn(dir));
      expect(JSON.parse(readFileSync(status.undecryptableBackup!, 'utf8'))).toEqual(stored);
      const accounts = await other.listAccounts();
      expect(accounts.map((a) => a.id)).toEqual([aliceId, bobId]);
      for (const account of accounts) {
        expect(account.status.kind).toBe('needs-sign-in');
        expect(account.status.kind === 'needs-sign-in' && account.status.reason).toMatch(/could not be decrypted/);
      }
      expect((await rejection(other.copyToken({ accountId: aliceId, format: 'raw' }))).code).toBe('needs_sign_in');
      await other.dispose();
      ({ core, clipboard } = await makeCore(dir));
    });

    it('auto-refreshes a pinned account ahead of expiry, and stops at needs-sign-in', async () => {
      await core.dispose();
      const timers = new ManualTimers();
      ({ core, clipboard } = await makeCore(dir, { timers }));
      const pinned = await core.setPinned(aliceId, true);
      expect(pinned.pinned).toBe(true);
      if (pinned.status.kind !== 'valid') throw new Error(`expected a valid token, got ${pinned.status.kind}`);
      const expiresOn = pinned.status.expiresOn;
      const [armed] = [...timers.pending.values()];
      expect(timers.pending.size).toBe(1);
      // Armed for five minutes (the default lead) before expiry.
      expect(Math.abs(armed!.ms - (expiresOn * 1000 - 5 * 60_000 - Date.now()))).toBeLessThan(5_000);

      idp.resetRequestCount();
      const refreshed = waitFor(core, 'token-refreshed', (e) => e.accountId === aliceId);
      expect(timers.fireLongerThan(0)).toBe(1);
      await refreshed;
      expect(idp.requestCount('/token')).toBe(1);
      // Re-armed from the new expiry once the refresh settles (no fixed sleep: a loaded CI box is slow).
      await vi.waitFor(() => expect(timers.pending.size).toBe(1), { timeout: 10_000 });

      await idp.revokeGrantsFor(alice.username);
      const needs = waitFor(core, 'needs-sign-in', (e) => e.accountId === aliceId);
      timers.fireLongerThan(0);
      await needs;
      // The refresher decides what to do next in the promise chain after the event; let it drain.
      await new Promise((r) => setImmediate(r));
      expect(timers.pending.size).toBe(0);
      expect((await core.listAccounts()).find((a) => a.id === aliceId)?.status.kind).toBe('needs-sign-in');
    });

    it('cancels a sign-in with a typed user_cancelled error', async () => {
      nextUser = 'ignore';
      const failed = waitFor(core, 'sign-in-progress', (e) => e.progress.kind === 'failed');
      const waiting = waitFor(core, 'sign-in-progress', (e) => e.progress.kind === 'waiting-for-user');
      const pending = rejection(core.addAccount({ profileId: oidcProfile.id }));
      await waiting;
      await core.cancelSignIn();
      const error = await pending;
      expect(error.code).toBe('user_cancelled');
      expect((await failed).progress).toMatchObject({ kind: 'failed', error: { code: 'user_cancelled' } });
      expect((await core.listAccounts())).toHaveLength(2);
    });

    it('removes an account: tokens gone, metadata forgotten, sign-in session cleared', async () => {
      await core.dispose();
      const cleared: string[] = [];
      ({ core, clipboard } = await makeCore(dir, { cleared }));
      const changed = waitFor(core, 'accounts-changed');
      await core.removeAccount(bobId);
      expect((await changed).accounts.map((a) => a.id)).toEqual([aliceId]);
      expect(cleared).toEqual([bobId]);
      expect((await rejection(core.copyToken({ accountId: bobId, format: 'raw' }))).code).toBe('not_found');
      await core.dispose();

      ({ core } = await makeCore(dir));
      expect((await core.listAccounts()).map((a) => a.id)).toEqual([aliceId]);
      await expect(core.deleteProfile(oidcProfile.id)).rejects.toMatchObject({ code: 'profile_in_use' });
      await core.deleteProfile(entraProfile.id);
      await core.dispose();
    });

    it('keeps tokens in memory only with a weak cipher until the user opts in', async () => {
      const weakDir = tempDir();
      const weak = await makeCore(weakDir, { cipher: new BasicTextCipher() });
      const profile = await weak.core.saveProfile(oidcDraft());
      nextUser = alice;
      const account = await weak.core.addAccount({ profileId: profile.id });
      expect(account.storage).toBe('memory-only');
      expect(weak.settings.get('tokenCache')).toBeUndefined();
      await weak.core.copyToken({ accountId: account.id, format: 'raw' });
      expect((await idp.introspect(weak.clipboard.writes.at(-1)!.text)).active).toBe(true);

      const storageEvent = waitFor(weak.core, 'storage-status');
      await weak.core.updateSettings({ allowWeakEncryption: true });
      expect((await storageEvent).status.mode).toBe('encrypted');
      expect(weak.settings.get('tokenCache')).toMatchObject({ backend: 'basic_text' });
      await weak.core.updateSettings({ allowWeakEncryption: false });
      expect(weak.settings.get('tokenCache')).toBeUndefined();
      await weak.core.dispose();
    });
  });
});
