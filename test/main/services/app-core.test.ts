/**
 * The app core end to end in Node: the real test identity provider, a scripted system browser that
 * completes its login over HTTP (test/support/idp/scripted-login.ts), the system-browser
 * (loopback) broker, the AES-GCM key-file cipher and JSON file stores. No Chromium: every test
 * builds its own core and signs in its own accounts. One test also drives a real Chromium.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppEvent, ProfileDraft, ProviderProfile, SignInProgress } from '../../../preload/contract';
import { LoopbackBroker } from '../../../main/brokers/loopback-broker';
import { RecordingClipboard } from '../../../main/clipboard/clipboard';
import type { Timers } from '../../../main/clipboard/clipboard-service';
import { AppError, OAuthServerError } from '../../../main/errors';
import type { Cipher } from '../../../main/persistence/cipher';
import { PersistenceError } from '../../../main/persistence/errors';
import { KeyFileCipher } from '../../../main/persistence/key-file-cipher';
import { ConfStore } from '../../../main/persistence/settings-store';
import { createAppCore, type AppCore } from '../../../main/services/app-core';
import { chromiumInstalled, launchChromium, newLoopbackContext, signInThroughLoginPage } from '../../support/browser';
import { ManualTimers } from '../../support/manual-timers';
import { requires } from '../../support/requires';
import { BasicTextCipher } from '../../support/weak-ciphers';
import { DEFAULT_CLIENTS, DEFAULT_USERS, PUBLIC_CLIENT_ID, startTestIdp, type TestIdp, type TestUser } from '../../support/idp';
import { scriptedSystemBrowser, type ScriptedAnswer, type ScriptedBrowser } from '../../support/idp/scripted-login';
import { rejection } from '../../support/rejection';
import { useTempDirs } from '../../support/temp-dirs';

// Entra client ids are GUIDs; the test IdP gets one registered like its public client.
const ENTRA_CLIENT_ID = '3f2b6a1e-8c4d-4e7f-9a0b-1c2d3e4f5a6b';


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

const tempDir = useTempDirs('core');

/** Rewrites the encrypted cache stored in `dir`'s settings file (a test's way to age or swap tokens). */
function editStoredCache(dir: string, edit: (cache: Record<string, Record<string, Record<string, unknown>>>) => void): void {
  const store = new ConfStore(join(dir, 'settings.json'));
  const cipher = new KeyFileCipher(join(dir, 'cache.key'));
  const record = store.get('tokenCache') as { v: 1; backend: string; ciphertext: string };
  const cache = JSON.parse(cipher.decrypt(Buffer.from(record.ciphertext, 'base64'))) as Record<string, Record<string, Record<string, unknown>>>;
  edit(cache);
  store.set('tokenCache', { ...record, ciphertext: cipher.encrypt(JSON.stringify(cache)).toString('base64') });
}

describe('app core with the test identity provider', () => {
  let idp: TestIdp;
  const browsers: ScriptedBrowser[] = [];
  const cores: AppCore[] = [];
  const alice = DEFAULT_USERS[0] as TestUser;
  const bob = DEFAULT_USERS[1] as TestUser;

  interface CoreOptions {
    readonly cipher?: Cipher;
    readonly timers?: Timers;
    readonly cleared?: string[];
    /** Who the scripted system browser signs in as, in turn; `'ignore'` (the default) leaves the page unanswered. */
    readonly answers?: ScriptedAnswer[];
    readonly log?: string[];
  }

  async function makeCore(dir: string, options: CoreOptions = {}) {
    const settings = new ConfStore(join(dir, 'settings.json'));
    const clipboard = new RecordingClipboard();
    const answers = options.answers ?? [];
    const browser = scriptedSystemBrowser({ caCertPem: idp.caCertPem, nextAnswer: () => answers.shift() ?? 'ignore' });
    browsers.push(browser);
    const core = await createAppCore({
      mode: 'browser',
      version: '0.0.0-test',
      settingsStore: settings,
      cacheStorage: { cipher: options.cipher ?? new KeyFileCipher(join(dir, 'cache.key')), backupDir: join(dir, 'backups') },
      clipboard,
      brokers: { systemBrowser: () => new LoopbackBroker({ openExternal: browser.openExternal, closeGraceMs: 1_000 }) },
      clearSignInSession: (key) => void options.cleared?.push(key),
      verifyFor: () => idp.caPath,
      instanceDiscoveryFor: (profile) => (profile.kind === 'entra' ? idp.instanceDiscoveryUrl : undefined),
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.log ? { log: (line: string) => void options.log!.push(line) } : {}),
      signInTimeoutMs: 30_000,
    });
    cores.push(core);
    return { core, clipboard, settings, answers, browser };
  }

  /** A fresh core in `dir` with alice signed in through the OIDC profile. */
  async function withAlice(dir: string = tempDir(), options: CoreOptions = {}) {
    const made = await makeCore(dir, { ...options, answers: [alice] });
    const profile = await made.core.saveProfile(oidcDraft());
    const account = await made.core.addAccount({ profileId: profile.id });
    await made.browser.settled();
    return { ...made, dir, profile, account };
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
  });

  afterAll(async () => {
    await Promise.allSettled(cores.map((core) => core.dispose()));
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await idp?.stop();
  });

  describe('profiles, settings and storage status', () => {
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
      await expect(core.saveProfile({ ...entraDraft(), clientId: 'not-a-guid' })).rejects.toMatchObject({ code: 'invalid_profile' });
      await core.dispose();

      const again = await makeCore(dir);
      expect((await again.core.listProfiles()).map((p) => p.id)).toEqual([saved.id]);
      await again.core.deleteProfile(saved.id);
      expect(await again.core.listProfiles()).toEqual([]);
    });

    it('offers the demo provider only when the host supplies it', async () => {
      const dir = tempDir();
      const demo: ProviderProfile = { id: 'x', name: 'Local demo', kind: 'oidc', preset: 'demo', clientId: PUBLIC_CLIENT_ID, authority: idp.oidcIssuer, defaultScopes: ['api://tessera-demo/read'], signInMethod: 'system-browser' };
      const core = await createAppCore({
        mode: 'browser',
        version: '1',
        settingsStore: new ConfStore(join(dir, 'settings.json')),
        cacheStorage: { cipher: new KeyFileCipher(join(dir, 'k')), backupDir: join(dir, 'b') },
        clipboard: new RecordingClipboard(),
        brokers: { systemBrowser: () => new LoopbackBroker({ openExternal: () => undefined }) },
        demoProfile: demo,
      });
      cores.push(core);
      expect((await core.getAppInfo()).demoProviderAvailable).toBe(true);
      expect((await core.listProfiles())[0]).toMatchObject({ id: 'demo', builtIn: true });
      expect((await core.listPresets()).find((p) => p.id === 'demo')?.ready?.clientId).toBe(PUBLIC_CLIENT_ID);
      await expect(core.deleteProfile('demo')).rejects.toMatchObject({ code: 'builtin_profile' });
    });

    it('refuses the embedded window in browser mode with a clear error', async () => {
      const { core } = await makeCore(tempDir());
      const profile = await core.saveProfile({ ...entraDraft(), signInMethod: 'embedded' });
      const error = await rejection(core.addAccount({ profileId: profile.id }), AppError);
      expect(error.code).toBe('embedded_unavailable');
      expect(error.message).toMatch(/system browser/);
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
    });

    it('settings refused by the store stay as they were (bug: memory changed before the write failed)', async () => {
      const dir = tempDir();
      const inner = new ConfStore(join(dir, 'settings.json'));
      let refuse = false;
      const store = {
        get: (key: string) => inner.get(key),
        set: (key: string, value: unknown) => {
          if (refuse) throw new PersistenceError('disk_full', 'The settings could not be saved: the disk is full.');
          inner.set(key, value);
        },
        delete: (key: string) => inner.delete(key),
      };
      const core = await createAppCore({
        mode: 'browser',
        version: '1',
        settingsStore: store,
        cacheStorage: { cipher: new KeyFileCipher(join(dir, 'k')), backupDir: join(dir, 'b') },
        clipboard: new RecordingClipboard(),
        brokers: { systemBrowser: () => new LoopbackBroker({ openExternal: () => undefined }) },
      });
      cores.push(core);
      await core.updateSettings({ clipboardClearSeconds: 30 });
      refuse = true;
      expect((await rejection(core.updateSettings({ clipboardClearSeconds: 45 }), AppError)).code).toBe('disk_full');
      expect((await core.getSettings()).clipboardClearSeconds).toBe(30);
    });

    it('reports the cache file as quarantined when it does not parse, and starts with an empty cache', async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'token-cache.json'), '{ not json');
      const core = await createAppCore({
        mode: 'electron',
        version: '1',
        settingsStore: new ConfStore(join(dir, 'settings.json')),
        cacheStorage: { cipher: new KeyFileCipher(join(dir, 'k')), backupDir: join(dir, 'b'), store: new ConfStore(join(dir, 'token-cache.json')) },
        clipboard: new RecordingClipboard(),
        brokers: { systemBrowser: () => new LoopbackBroker({ openExternal: () => undefined }) },
      });
      cores.push(core);
      const status = core.storageStatus();
      expect(status.quarantinedFile).toMatch(/token-cache\.json\.corrupt-/);
      expect(readFileSync(status.quarantinedFile!, 'utf8')).toBe('{ not json');
      expect(await core.listAccounts()).toEqual([]);
    });
  });

  describe('accounts and tokens (scripted system browser, no Chromium)', () => {
    it('adds an account through the system browser and copies a live token, raw and as a header', async () => {
      const dir = tempDir();
      const { core, clipboard } = await makeCore(dir, { answers: [alice] });
      const profile = await core.saveProfile(oidcDraft());
      const progress: SignInProgress['kind'][] = [];
      core.subscribe((e) => void (e.type === 'sign-in-progress' && progress.push(e.progress.kind)));
      const changed = waitFor(core, 'accounts-changed');

      const account = await core.addAccount({ profileId: profile.id });
      expect(progress).toEqual(['waiting-for-user', 'redeeming', 'done']);
      expect((await changed).accounts.map((a) => a.id)).toEqual([account.id]);
      expect(account).toMatchObject({ profileId: profile.id, username: alice.username, providerKind: 'oidc', pinned: false, storage: 'encrypted' });
      expect(account.status.kind).toBe('valid');

      idp.resetRequestCount();
      const raw = await core.copyToken({ accountId: account.id, format: 'raw' });
      const token = clipboard.writes.at(-1)!.text;
      expect(clipboard.writes.at(-1)!.concealed).toBe(true);
      expect(raw.format).toBe('raw');
      expect(raw.clearsAt).toBeGreaterThan(Date.now() + 50_000);
      expect(raw.expiresOn).toBeGreaterThan(Date.now() / 1000 + 600);
      expect((await idp.introspect(token)).active).toBe(true);
      expect(decodeJwt(token)['sub']).toBe(alice.sub);

      const bearer = await core.copyToken({ accountId: account.id, format: 'bearer' });
      expect(bearer.format).toBe('bearer');
      expect(clipboard.writes.at(-1)!.text).toBe(`Authorization: Bearer ${token}`);
      expect(idp.requestCount('/token')).toBe(0); // both copies came from the cache

      const revealed = await core.revealToken({ accountId: account.id });
      expect(revealed).toMatchObject({ accessToken: token, source: 'cache', tokenType: 'Bearer' });

      // Nothing secret reaches the settings file in the clear.
      const file = readFileSync(join(dir, 'settings.json'), 'utf8');
      expect(file).not.toContain(token);
      expect(file).not.toContain('"secret"');
      expect(core.trayModel().items).toEqual([
        { kind: 'account', accountId: account.id, label: `${alice.username} — Demo OIDC`, status: account.status },
        { kind: 'separator' },
        { kind: 'open' },
        { kind: 'quit' },
      ]);
    });

    it('keeps two providers side by side with separate accounts', async () => {
      const { core, clipboard, answers, profile: oidcProfile, account: aliceAccount } = await withAlice();
      const entraProfile = await core.saveProfile(entraDraft());
      answers.push(bob);
      const bobAccount = await core.addAccount({ profileId: entraProfile.id, method: 'system-browser' });
      expect(bobAccount).toMatchObject({ providerKind: 'entra', username: bob.username, tenant: idp.tenantId() });
      const accounts = await core.listAccounts();
      expect(accounts.map((a) => [a.profileId, a.username])).toEqual([
        [oidcProfile.id, alice.username],
        [entraProfile.id, bob.username],
      ]);

      await core.copyToken({ accountId: bobAccount.id, format: 'raw' });
      const bobToken = clipboard.writes.at(-1)!.text;
      await core.copyToken({ accountId: aliceAccount.id, format: 'raw' });
      const aliceToken = clipboard.writes.at(-1)!.text;
      expect(decodeJwt(bobToken)['iss']).toBe(idp.entraIssuer());
      expect(decodeJwt(aliceToken)['iss']).toBe(idp.oidcIssuer);
      expect((await idp.introspect(bobToken)).active).toBe(true);
      expect((await idp.introspect(aliceToken)).active).toBe(true);
      expect(core.trayModel().items.filter((i) => i.kind === 'account')).toHaveLength(2);
    });

    it('restarts with accounts back and serves a copy from the cache', async () => {
      const first = await withAlice();
      await first.core.dispose();
      const { core, clipboard } = await makeCore(first.dir);
      const accounts = await core.listAccounts();
      expect(accounts.map((a) => a.id)).toEqual([first.account.id]);
      expect(accounts.every((a) => a.status.kind === 'valid')).toBe(true);
      idp.resetRequestCount();
      // The tray's entry: default scopes, raw token.
      const copied = await core.copyDefaultToken(first.account.id);
      expect(copied.format).toBe('raw');
      expect(idp.requestCount('/token')).toBe(0);
      expect((await idp.introspect(clipboard.writes.at(-1)!.text)).active).toBe(true);
    });

    it('refreshes silently once when the access token has expired', async () => {
      const first = await withAlice();
      await first.core.dispose();
      const past = String(Math.floor(Date.now() / 1000) - 30);
      editStoredCache(first.dir, (cache) => {
        for (const at of Object.values(cache['AccessToken'] ?? {})) at['expires_on'] = past;
      });
      const { core, clipboard } = await makeCore(first.dir);
      const aliceId = first.account.id;
      expect((await core.listAccounts()).map((a) => a.status.kind)).toEqual(['expired']);
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
      const { core, clipboard, answers, account } = await withAlice();
      await idp.revokeGrantsFor(alice.username);
      const needs = waitFor(core, 'needs-sign-in', (e) => e.accountId === account.id);
      const error = await rejection(core.refreshAccount(account.id), AppError);
      expect(error.code).toBe('needs_sign_in');
      expect(error.message).toMatch(/sign in again/i);
      expect((await needs).reason).toBe(error.message);
      const view = (await core.listAccounts()).find((a) => a.id === account.id)!;
      expect(view.status).toEqual({ kind: 'needs-sign-in', reason: error.message });
      expect(view.lastError).toMatchObject({ code: 'needs_sign_in', provider: { error: 'invalid_grant' } });

      answers.push(alice);
      const back = await core.reauthenticate(account.id);
      expect(back.id).toBe(account.id);
      expect(back.status.kind).toBe('valid');
      expect(back.lastError).toBeUndefined();
      await core.copyToken({ accountId: account.id, format: 'raw' });
      expect((await idp.introspect(clipboard.writes.at(-1)!.text)).active).toBe(true);
    });

    it('keeps a backup and asks for sign-in when the cache no longer decrypts', async () => {
      const first = await withAlice();
      await first.core.dispose();
      const copy = tempDir();
      cpSync(first.dir, copy, { recursive: true });
      rmSync(join(copy, 'cache.key'));
      const { core } = await makeCore(copy); // a new key: the old ciphertext is unreadable
      const status = core.storageStatus();
      expect(status.mode).toBe('encrypted');
      expect(status.undecryptableBackup).toMatch(/token-cache-[0-9a-f]{16}\.backup\.json$/);
      // The backup is the unreadable record itself, and the stored original is left in place.
      const storedIn = (folder: string): unknown => (JSON.parse(readFileSync(join(folder, 'settings.json'), 'utf8')) as Record<string, unknown>)['tokenCache'];
      const stored = storedIn(copy);
      expect(stored).toMatchObject({ v: 1, backend: 'aes-gcm-keyfile', ciphertext: expect.any(String) });
      expect(stored).toEqual(storedIn(first.dir));
      expect(JSON.parse(readFileSync(status.undecryptableBackup!, 'utf8'))).toEqual(stored);
      const accounts = await core.listAccounts();
      expect(accounts.map((a) => a.id)).toEqual([first.account.id]);
      for (const account of accounts) {
        expect(account.status.kind).toBe('needs-sign-in');
        expect(account.status.kind === 'needs-sign-in' && account.status.reason).toMatch(/could not be decrypted/);
      }
      expect((await rejection(core.copyToken({ accountId: first.account.id, format: 'raw' }), AppError)).code).toBe('needs_sign_in');
    });

    it('auto-refreshes a pinned account ahead of expiry, and stops at needs-sign-in', async () => {
      const timers = new ManualTimers();
      const { core, account } = await withAlice(tempDir(), { timers });
      const aliceId = account.id;
      const pinned = await core.setPinned(aliceId, true);
      expect(pinned.pinned).toBe(true);
      if (pinned.status.kind !== 'valid') throw new Error(`expected a valid token, got ${pinned.status.kind}`);
      const expiresOn = pinned.status.expiresOn;
      // The clipboard service has no timer yet: the one pending timer is the refresh.
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
      const { core } = await makeCore(tempDir(), { answers: ['ignore'] });
      const profile = await core.saveProfile(oidcDraft());
      const failed = waitFor(core, 'sign-in-progress', (e) => e.progress.kind === 'failed');
      const waiting = waitFor(core, 'sign-in-progress', (e) => e.progress.kind === 'waiting-for-user');
      const pending = rejection(core.addAccount({ profileId: profile.id }), AppError);
      await waiting;
      await core.cancelSignIn();
      const error = await pending;
      expect(error.code).toBe('user_cancelled');
      expect((await failed).progress).toMatchObject({ kind: 'failed', error: { code: 'user_cancelled' } });
      expect(await core.listAccounts()).toHaveLength(0);
    });

    it('sends the profile\'s extra parameters (Auth0\'s audience) with a device-code sign-in', async () => {
      const { core } = await makeCore(tempDir());
      const draft = (name: string, audience: string): ProfileDraft => ({ ...oidcDraft(), name, signInMethod: 'device-code', extraAuthorizeParameters: { audience } });
      // The test provider issues for the API named by `audience` and knows only the demo API, so it
      // refuses another one at the device authorization endpoint: proof the parameter got there.
      const unknown = await core.saveProfile(draft('Auth0-like, unknown API', 'api://not-registered'));
      let codeShown = false;
      const off = core.subscribe((e) => {
        if (e.type !== 'sign-in-progress' || e.progress.kind !== 'device-code') return;
        codeShown = true;
        void core.cancelSignIn();
      });
      const refused = await rejection(core.addAccount({ profileId: unknown.id }), AppError);
      off();
      expect(codeShown, 'the provider handed out a code: it did not get the audience').toBe(false);
      expect(refused).toBeInstanceOf(OAuthServerError);
      expect(refused.toInfo().provider).toMatchObject({ error: 'invalid_target' });

      const known = await core.saveProfile(draft('Auth0-like', 'api://tessera-demo'));
      const code = waitFor(core, 'sign-in-progress', (e) => e.progress.kind === 'device-code');
      const pending = rejection(core.addAccount({ profileId: known.id }), AppError);
      expect((await code).progress).toMatchObject({ kind: 'device-code', profileId: known.id });
      await core.cancelSignIn();
      expect((await pending).code).toBe('user_cancelled');
      expect(await core.listAccounts()).toHaveLength(0);
    });

    it('removes an account: tokens gone, metadata forgotten, sign-in session cleared', async () => {
      const cleared: string[] = [];
      const { core, dir, answers, profile: oidcProfile, account: aliceAccount } = await withAlice(tempDir(), { cleared });
      const entraProfile = await core.saveProfile(entraDraft());
      answers.push(bob);
      const bobAccount = await core.addAccount({ profileId: entraProfile.id });
      const changed = waitFor(core, 'accounts-changed');
      await core.removeAccount(bobAccount.id);
      expect((await changed).accounts.map((a) => a.id)).toEqual([aliceAccount.id]);
      expect(cleared).toEqual([bobAccount.id]);
      expect((await rejection(core.copyToken({ accountId: bobAccount.id, format: 'raw' }), AppError)).code).toBe('not_found');
      await core.dispose();

      const { core: again } = await makeCore(dir);
      expect((await again.listAccounts()).map((a) => a.id)).toEqual([aliceAccount.id]);
      await expect(again.deleteProfile(oidcProfile.id)).rejects.toMatchObject({ code: 'profile_in_use' });
      await again.deleteProfile(entraProfile.id);
    });

    it('keeps tokens in memory only with a weak cipher until the user opts in', async () => {
      const { core, settings, clipboard, account } = await withAlice(tempDir(), { cipher: new BasicTextCipher() });
      expect(account.storage).toBe('memory-only');
      expect(settings.get('tokenCache')).toBeUndefined();
      await core.copyToken({ accountId: account.id, format: 'raw' });
      expect((await idp.introspect(clipboard.writes.at(-1)!.text)).active).toBe(true);

      const storageEvent = waitFor(core, 'storage-status');
      await core.updateSettings({ allowWeakEncryption: true });
      expect((await storageEvent).status.mode).toBe('encrypted');
      expect(settings.get('tokenCache')).toMatchObject({ backend: 'basic_text' });
      await core.updateSettings({ allowWeakEncryption: false });
      expect(settings.get('tokenCache')).toBeUndefined();
    });
  });

  describe('acquireAccessToken (the internal hand-out for the command-line bridge)', () => {
    it('hands out the cached token, and the ID token on request', async () => {
      const { core, account } = await withAlice();
      idp.resetRequestCount();
      const grant = await core.acquireAccessToken(account.id);
      expect(idp.requestCount('/token')).toBe(0);
      expect(grant).toMatchObject({ tokenType: 'Bearer', scopes: ['api://tessera-demo/read'] });
      expect(grant.idToken).toBeUndefined();
      expect(grant.expiresOn).toBeGreaterThan(Date.now() / 1000 + 600);
      expect((await idp.introspect(grant.accessToken)).active).toBe(true);

      const withId = await core.acquireAccessToken(account.id, { withIdToken: true });
      expect(withId.accessToken).toBe(grant.accessToken);
      expect(decodeJwt(withId.idToken!)).toMatchObject({ sub: alice.sub, aud: PUBLIC_CLIENT_ID, iss: idp.oidcIssuer });
    });

    it('refreshes when asked to, or when the cached token would expire within minValidSeconds', async () => {
      const { core, account } = await withAlice();
      const cached = await core.acquireAccessToken(account.id);
      idp.resetRequestCount();
      const forced = await core.acquireAccessToken(account.id, { forceRefresh: true });
      expect(idp.requestCount('/token')).toBe(1);
      expect(forced.accessToken).not.toBe(cached.accessToken);
      expect((await idp.introspect(forced.accessToken)).active).toBe(true);

      // Longer than the token lives: only a network refresh can try to satisfy it.
      const lifetime = forced.expiresOn - Math.floor(Date.now() / 1000);
      idp.resetRequestCount();
      await core.acquireAccessToken(account.id, { minValidSeconds: 60 });
      expect(idp.requestCount('/token')).toBe(0);
      await core.acquireAccessToken(account.id, { minValidSeconds: lifetime + 60 });
      expect(idp.requestCount('/token')).toBe(1);
    });

    it('asks for other scopes, and reports needs_sign_in and not_found as typed errors', async () => {
      const { core } = await makeCore(tempDir(), { answers: [alice] });
      const profile = await core.saveProfile({ ...oidcDraft(), defaultScopes: ['api://tessera-demo/read', 'api://tessera-demo/write'] });
      const account = await core.addAccount({ profileId: profile.id });
      const grant = await core.acquireAccessToken(account.id, { scopes: ['api://tessera-demo/write'] });
      expect(grant.scopes).toEqual(['api://tessera-demo/write']);
      expect(String(decodeJwt(grant.accessToken)['scope'])).toContain('api://tessera-demo/write');
      expect((await rejection(core.acquireAccessToken('no-such-account'), AppError)).code).toBe('not_found');
      await idp.revokeGrantsFor(alice.username);
      expect((await rejection(core.acquireAccessToken(account.id, { forceRefresh: true }), AppError)).code).toBe('needs_sign_in');
    });
  });

  describe('regressions', () => {
    // Issue 8.1: a provider that echoes the refresh token in error_description ("Invalid refresh
    // token: <uuid>", as Spring Security OAuth2 answers) had it written to the settings file, pushed
    // in events and returned in errors, because redaction went by shape only.
    const shapes: Record<string, () => string> = {
      uuid: () => crypto.randomUUID(),
      'short opaque': () => `r${Math.random().toString(36).slice(2, 12)}`,
      'dot-separated': () => ['a1b2c3', 'd4e5f6', 'g7h8i9'].map((part) => `${part}${Math.floor(Math.random() * 1000)}`).join('.'),
      'with URL characters': () => `rt/${Math.random().toString(36).slice(2, 10)}+=`,
    };
    const templates: Record<string, (token: string) => string> = {
      plain: (token) => `Invalid refresh token: ${token}`,
      'URL-encoded': (token) => `refresh_token%3D${encodeURIComponent(token)} rejected`,
      'JSON-escaped': (token) => `{"refresh_token":"${JSON.stringify(token).slice(1, -1)}"}`,
    };

    it.each(Object.keys(shapes))('refresh token echoed by the provider never reaches settings, events, errors or logs (%s)', async (shape) => {
      const first = await withAlice();
      await first.core.dispose();
      const token = shapes[shape]!();
      editStoredCache(first.dir, (cache) => {
        for (const rt of Object.values(cache['RefreshToken'] ?? {})) rt['secret'] = token;
      });
      const log: string[] = [];
      const { core } = await makeCore(first.dir, { log });
      const events: AppEvent[] = [];
      core.subscribe((event) => void events.push(event));
      const answers: unknown[] = [];
      let round = 0;
      for (const [error, status] of [['invalid_grant', 400], ['server_error', 400], ['something_else', 401]] as const) {
        for (const template of Object.values(templates)) {
          round += 1;
          idp.failNext('/oidc/token', { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error, error_description: template(token) }) });
          idp.resetRequestCount();
          // The first round is the UI's refresh; later ones ask for one more scope each, so no
          // two requests are alike and each one reaches the provider.
          const call =
            round === 1
              ? core.refreshAccount(first.account.id)
              : core.acquireAccessToken(first.account.id, { forceRefresh: true, scopes: ['api://tessera-demo/read', `round${round}`] });
          const thrown = await rejection(call, AppError);
          expect(idp.requestCount('/oidc/token'), `round ${round}`).toBe(1);
          answers.push({ code: thrown.code, message: thrown.message, info: thrown.toInfo() }, await core.listAccounts());
        }
      }
      await core.dispose();
      const places = {
        settings: readFileSync(join(first.dir, 'settings.json'), 'utf8'),
        events: JSON.stringify(events),
        errors: JSON.stringify(answers),
        log: log.join('\n'),
      };
      // The test would prove nothing if the provider's text never got through at all.
      expect(places.errors).toMatch(/Invalid refresh token: \[redacted\]/);
      expect(places.settings).toMatch(/\[redacted\]/);
      for (const [place, text] of Object.entries(places)) {
        for (const form of [token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)]) {
          expect(text.includes(form), `${shape} token found in ${place}`).toBe(false);
        }
      }
    });
  });

  it('a settings file from before redaction by value loses the refresh token it quotes (bug: stored needsSignIn kept it)', async () => {
    const first = await withAlice();
    await first.core.dispose();
    // A GUID-shaped refresh token: the shape rules keep GUIDs, so only redaction by value removes it.
    const refreshToken = crypto.randomUUID();
    editStoredCache(first.dir, (cache) => {
      for (const rt of Object.values(cache['RefreshToken'] ?? {})) rt['secret'] = refreshToken;
    });
    const store = new ConfStore(join(first.dir, 'settings.json'));
    const accounts = store.get('accounts') as Array<Record<string, unknown>>;
    const leaked = `Invalid refresh token: ${refreshToken}`;
    store.set('accounts', accounts.map((a) => ({ ...a, needsSignIn: leaked, lastError: { code: 'needs_sign_in', message: leaked } })));
    expect(readFileSync(join(first.dir, 'settings.json'), 'utf8')).toContain(refreshToken);

    const { core } = await makeCore(first.dir);
    const [view] = await core.listAccounts();
    expect(view?.status).toEqual({ kind: 'needs-sign-in', reason: 'Invalid refresh token: [redacted]' });
    expect(readFileSync(join(first.dir, 'settings.json'), 'utf8')).not.toContain(refreshToken);
  });

  requires(chromiumInstalled()).describe('through a real Chromium', () => {
    it('adds an account through the system-browser broker with Chromium driving the login page', async () => {
      const browser = await launchChromium({ caCertPem: idp.caCertPem });
      try {
        const dir = tempDir();
        const drives: Promise<unknown>[] = [];
        const core = await createAppCore({
          mode: 'browser',
          version: '0.0.0-test',
          settingsStore: new ConfStore(join(dir, 'settings.json')),
          cacheStorage: { cipher: new KeyFileCipher(join(dir, 'cache.key')), backupDir: join(dir, 'backups') },
          clipboard: new RecordingClipboard(),
          brokers: {
            systemBrowser: () =>
              new LoopbackBroker({
                closeGraceMs: 1_000,
                openExternal: (url) => {
                  const run = (async () => {
                    const context = await newLoopbackContext(browser);
                    try {
                      const page = await context.newPage();
                      await page.goto(url);
                      await signInThroughLoginPage(page, alice);
                      await page.getByText('You can close this tab').waitFor({ timeout: 15_000 });
                    } finally {
                      await context.close();
                    }
                  })();
                  drives.push(run);
                },
              }),
          },
          verifyFor: () => idp.caPath,
          signInTimeoutMs: 30_000,
        });
        cores.push(core);
        const profile = await core.saveProfile(oidcDraft());
        const account = await core.addAccount({ profileId: profile.id });
        await Promise.all(drives);
        expect(account).toMatchObject({ username: alice.username });
        expect(account.status.kind).toBe('valid');
      } finally {
        await browser.close();
      }
    });
  });
});
