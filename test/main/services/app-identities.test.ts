/**
 * Issue 9, profiles: app identities (client credentials), client secrets kept with the encrypted
 * token cache, a custom CA per profile, and profiles on the demo provider across restarts.
 *
 * The real test identity provider (its confidential client `tessera-confidential` may use
 * client_credentials), the key-file cipher and JSON file stores; people sign in through the
 * scripted system browser (test/support/idp/scripted-login.ts).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent, ProfileDraft } from '../../../preload/contract';
import { startBrowserMode } from '../../../main/browser-host/browser-mode';
import { MemoryOnlyCipher } from '../../../main/browser-host/memory-only-cipher';
import { LoopbackBroker } from '../../../main/brokers/loopback-broker';
import { RecordingClipboard } from '../../../main/clipboard/clipboard';
import { AppError, redact } from '../../../main/errors';
import { KeyFileCipher } from '../../../main/persistence/key-file-cipher';
import { ConfStore } from '../../../main/persistence/settings-store';
import { createAppCore, type AppCore } from '../../../main/services/app-core';
import { CLIENT_SECRETS_KEY } from '../../../main/services/cache-persistence';
import { createTestCa } from '../../support/test-certs';
import { CONFIDENTIAL_CLIENT_ID, DEFAULT_CLIENTS, DEFAULT_USERS, DEMO_API, PUBLIC_CLIENT_ID, startTestIdp, type TestIdp, type TestUser } from '../../support/idp';
import { scriptedSystemBrowser, type ScriptedAnswer, type ScriptedBrowser } from '../../support/idp/scripted-login';
import { rejection } from '../../support/rejection';
import { useTempDirs } from '../../support/temp-dirs';

const SECRET = DEFAULT_CLIENTS.find((c) => c.clientId === CONFIDENTIAL_CLIENT_ID)?.clientSecret ?? '';
/** A desktop client with a secret (as Google's are), registered for one fixed loopback redirect. */
const DESKTOP_CLIENT_ID = 'tessera-desktop-with-secret';
const DESKTOP_SECRET = 'desktop-secret-4f1c9a7e2b';
const alice = DEFAULT_USERS[0] as TestUser;
/** An app registration that proves itself with a certificate's key (RFC 7523 client assertion, `private_key_jwt`). */
const CERT_CLIENT_ID = 'tessera-robot-with-certificate';
const certKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CERT_PRIVATE_KEY = certKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
// The test IdP finds the key by its JWK, not by thumbprint, so this is the SHA-1 of the public key's DER
// (a stand-in with the right form; Entra would match the uploaded certificate's thumbprint).
const CERT_THUMBPRINT = createHash('sha1').update(certKeys.publicKey.export({ format: 'der', type: 'spki' })).digest('hex');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every file under `dir` whose bytes contain `value` (the way a person would search a data folder). */
function filesContaining(dir: string, value: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesContaining(path, value));
    else if (readFileSync(path).includes(Buffer.from(value, 'utf8'))) found.push(path);
  }
  return found;
}

const tempDir = useTempDirs('apps');

describe('app identities, client secrets and custom CAs (test identity provider)', () => {
  let idp: TestIdp;
  let desktopPort: number;
  const cores: AppCore[] = [];
  const browsers: ScriptedBrowser[] = [];

  interface CoreOptions {
    /** Trust the test IdP's CA through the host hook (as the demo provider is trusted). Default true. */
    readonly hostTrustsIdp?: boolean;
    readonly answers?: ScriptedAnswer[];
    readonly port?: number;
    /** Keep tokens (and secrets) in memory only, as browser mode does without --persist-tokens. */
    readonly memoryOnly?: boolean;
  }

  async function makeCore(dir: string, options: CoreOptions = {}) {
    const answers = options.answers ?? [];
    const browser = scriptedSystemBrowser({ caCertPem: idp.caCertPem, nextAnswer: () => answers.shift() ?? 'ignore' });
    browsers.push(browser);
    const clipboard = new RecordingClipboard();
    const core = await createAppCore({
      mode: 'browser',
      version: '0.0.0-test',
      settingsStore: new ConfStore(join(dir, 'settings.json')),
      cacheStorage: {
        cipher: options.memoryOnly ? new MemoryOnlyCipher() : new KeyFileCipher(join(dir, 'cache.key')),
        store: new ConfStore(join(dir, 'token-cache.json')),
        backupDir: join(dir, 'backups'),
      },
      clipboard,
      brokers: { systemBrowser: () => new LoopbackBroker({ openExternal: browser.openExternal, closeGraceMs: 1_000, ...(options.port ? { port: options.port } : {}) }) },
      ...(options.hostTrustsIdp === false ? {} : { verifyFor: () => idp.caPath }),
      signInTimeoutMs: 30_000,
    });
    cores.push(core);
    return { core, clipboard, browser };
  }

  const appDraft = (overrides: Partial<ProfileDraft> = {}): ProfileDraft => ({
    name: 'Deploy robot',
    kind: 'oidc',
    preset: 'custom-oidc',
    clientId: CONFIDENTIAL_CLIENT_ID,
    authority: idp.oidcIssuer,
    defaultScopes: [`${DEMO_API}/read`],
    signInMethod: 'system-browser',
    grant: 'app',
    clientAuth: { kind: 'secret' },
    clientSecret: SECRET,
    ...overrides,
  });

  beforeAll(async () => {
    desktopPort = await freePort();
    idp = await startTestIdp({
      clients: [
        ...DEFAULT_CLIENTS.map((c) => ({ ...c, redirectUris: [...c.redirectUris] })),
        { clientId: DESKTOP_CLIENT_ID, clientSecret: DESKTOP_SECRET, redirectUris: [`http://127.0.0.1:${desktopPort}/`], grants: ['authorization_code', 'refresh_token'] },
        { clientId: CERT_CLIENT_ID, redirectUris: [], grants: ['client_credentials'], jwks: { keys: [{ ...certKeys.publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }] } },
      ],
    });
  });

  afterAll(async () => {
    await Promise.allSettled(cores.map((core) => core.dispose()));
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await idp?.stop();
  });

  describe('app identities (client credentials)', () => {
    it('adds an app identity whose token comes from acquireTokenForClient; copy, reveal, refresh and the bridge hand-out work', async () => {
      const { core, clipboard } = await makeCore(tempDir());
      const events: AppEvent[] = [];
      core.subscribe((event) => void events.push(event));
      const profile = await core.saveProfile(appDraft());
      expect(profile.grant).toBe('app');
      expect(profile.clientAuth).toEqual({ kind: 'secret', saved: true });
      expect(JSON.stringify(await core.listProfiles())).not.toContain(SECRET);

      const account = await core.addAccount({ profileId: profile.id });
      expect(account).toMatchObject({ appIdentity: true, username: CONFIDENTIAL_CLIENT_ID, displayName: 'Deploy robot', status: { kind: 'valid' } });
      expect((await core.listAccounts()).map((a) => a.id)).toEqual([account.id]);
      expect(events.some((e) => e.type === 'sign-in-progress' && e.progress.kind === 'done')).toBe(true);

      await core.copyToken({ accountId: account.id, format: 'raw' });
      const copied = clipboard.writes.at(-1)?.text ?? '';
      // A client-credentials token: issued to the client itself, for the demo API, with no user.
      expect(decodeJwt(copied)).toMatchObject({ client_id: CONFIDENTIAL_CLIENT_ID, aud: DEMO_API });
      expect(decodeJwt(copied)['sub']).not.toBe(alice.sub);
      expect((await idp.introspect(copied)).active).toBe(true);

      const revealed = await core.revealToken({ accountId: account.id });
      expect(revealed).toMatchObject({ accessToken: copied, source: 'cache' });

      const refreshed = await core.refreshAccount(account.id);
      expect(refreshed.status.kind).toBe('valid');
      const after = await core.revealToken({ accountId: account.id });
      expect(after.accessToken).not.toBe(copied);
      expect(after.source).toBe('cache');

      const grant = await core.acquireAccessToken(account.id, { forceRefresh: true });
      expect(grant.accessToken).not.toBe(after.accessToken);
      expect(decodeJwt(grant.accessToken)).toMatchObject({ client_id: CONFIDENTIAL_CLIENT_ID });
      // "Sign in again" on an app identity gets a new token with the saved secret, same account.
      const again = await core.reauthenticate(account.id);
      expect(again.id).toBe(account.id);
      // Every event and view is free of the secret.
      expect(JSON.stringify(events)).not.toContain(SECRET);
    });

    it('never writes the secret in plain text: the data folder holds it only encrypted, and a restart still has it', async () => {
      const dir = tempDir();
      const first = await makeCore(dir);
      const profile = await first.core.saveProfile(appDraft());
      const account = await first.core.addAccount({ profileId: profile.id });
      await first.core.dispose();
      expect(filesContaining(dir, SECRET)).toEqual([]);
      const settings = readFileSync(join(dir, 'settings.json'), 'utf8');
      expect(settings).toContain('"grant": "app"');
      expect(settings).not.toContain(SECRET);
      // It is in the cache's file, encrypted with the cache's key.
      const record = new ConfStore(join(dir, 'token-cache.json')).get(CLIENT_SECRETS_KEY) as { ciphertext: string };
      const plain = new KeyFileCipher(join(dir, 'cache.key')).decrypt(Buffer.from(record.ciphertext, 'base64'));
      expect(JSON.parse(plain)).toEqual({ v: 1, profiles: { [profile.id]: { clientSecret: SECRET } } });

      const second = await makeCore(dir);
      expect((await second.core.listProfiles()).find((p) => p.id === profile.id)?.clientAuth).toEqual({ kind: 'secret', saved: true });
      const grant = await second.core.acquireAccessToken(account.id, { forceRefresh: true });
      expect(decodeJwt(grant.accessToken)).toMatchObject({ client_id: CONFIDENTIAL_CLIENT_ID });
    });

    it('where tokens stay in memory only, so does the secret: after a restart the profile and the account ask for it again', async () => {
      const dir = tempDir();
      const first = await makeCore(dir, { memoryOnly: true });
      const profile = await first.core.saveProfile(appDraft());
      const account = await first.core.addAccount({ profileId: profile.id });
      await first.core.dispose();
      expect(filesContaining(dir, SECRET)).toEqual([]);

      const second = await makeCore(dir, { memoryOnly: true });
      expect((await second.core.listProfiles()).find((p) => p.id === profile.id)?.clientAuth).toEqual({ kind: 'secret', saved: false });
      const [view] = await second.core.listAccounts();
      expect(view?.status).toEqual({ kind: 'needs-sign-in', reason: expect.stringMatching(/client secret of the profile "Deploy robot" is not saved here.*enter it again/) });
      const refused = await rejection(second.core.copyToken({ accountId: account.id, format: 'raw' }), AppError);
      expect(refused.code).toBe('needs_sign_in');
      // Entering the secret again in the profile brings the identity back.
      await second.core.saveProfile({ ...appDraft(), id: profile.id });
      expect((await second.core.reauthenticate(account.id)).status.kind).toBe('valid');
    });

    it('a secret that reached Tessera is redacted from any message by value', async () => {
      const secret = 'a-secret-that-only-this-test-knows-31';
      const { core } = await makeCore(tempDir());
      await core.validateProfile(appDraft({ clientSecret: secret }));
      expect(redact(`the provider said: bad secret ${secret}`)).not.toContain(secret);
    });

    it('a wrong secret is refused by the provider with advice about the secret, not about public clients', async () => {
      const { core } = await makeCore(tempDir());
      const profile = await core.saveProfile(appDraft({ clientSecret: 'not-the-right-secret-123' }));
      const error = await rejection(core.addAccount({ profileId: profile.id }), AppError);
      expect(error.code).toBe('invalid_client');
      expect(error.message).toContain('client secret');
      expect(error.message).not.toContain('not-the-right-secret-123');
      expect(await core.listAccounts()).toEqual([]);
    });

    it('editing keeps the saved secret when none is entered; a new one replaces it; removing the profile deletes it', async () => {
      const dir = tempDir();
      const { core } = await makeCore(dir);
      const profile = await core.saveProfile(appDraft());
      const renamed = await core.saveProfile({ ...appDraft({ name: 'Renamed robot' }), id: profile.id, clientSecret: undefined });
      expect(renamed.clientAuth?.saved).toBe(true);
      const account = await core.addAccount({ profileId: profile.id });
      expect(account.displayName).toBe('Renamed robot');

      // A new profile without a secret is refused next to the secret field.
      const { clientSecret: _omitted, ...withoutSecret } = appDraft();
      const validation = await core.validateProfile(withoutSecret);
      expect(validation.valid).toBe(false);
      expect(validation.fieldErrors.clientSecret).toMatch(/Enter the client secret/);
      expect((await rejection(core.saveProfile(withoutSecret), AppError)).code).toBe('invalid_profile');

      // Removing the app identity forgets its secret; deleting the profile leaves nothing behind.
      await core.removeAccount(account.id);
      expect((await core.listProfiles()).find((p) => p.id === profile.id)?.clientAuth).toEqual({ kind: 'secret', saved: false });
      await core.deleteProfile(profile.id);
      const record = new ConfStore(join(dir, 'token-cache.json')).get(CLIENT_SECRETS_KEY) as { ciphertext: string };
      const plain = new KeyFileCipher(join(dir, 'cache.key')).decrypt(Buffer.from(record.ciphertext, 'base64'));
      expect(JSON.parse(plain)).toEqual({ v: 1, profiles: {} });
    });

    it('adds an app identity that signs in with a certificate (private key + thumbprint) and keeps the key encrypted', async () => {
      const dir = tempDir();
      const { core } = await makeCore(dir);
      const profile = await core.saveProfile(
        appDraft({ name: 'Cert robot', clientId: CERT_CLIENT_ID, clientAuth: { kind: 'certificate', thumbprint: CERT_THUMBPRINT }, clientSecret: undefined, privateKey: CERT_PRIVATE_KEY }),
      );
      expect(profile.clientAuth).toEqual({ kind: 'certificate', thumbprint: CERT_THUMBPRINT, saved: true });
      const account = await core.addAccount({ profileId: profile.id });
      expect(account).toMatchObject({ appIdentity: true, username: CERT_CLIENT_ID });
      const grant = await core.acquireAccessToken(account.id, { forceRefresh: true });
      expect(decodeJwt(grant.accessToken)).toMatchObject({ client_id: CERT_CLIENT_ID, aud: DEMO_API });
      const body = CERT_PRIVATE_KEY.split('\n').filter((line) => line && !line.startsWith('-----'));
      for (const line of [body[0] ?? 'missing', body.join('')]) expect(filesContaining(dir, line)).toEqual([]);
      expect(redact(`oops ${body[1] ?? ''}`)).not.toContain(body[1]);
    });

    it('checks a certificate credential: thumbprint and PEM private key, with plain-words field errors', async () => {
      const { core } = await makeCore(tempDir());
      const draft = appDraft({ clientAuth: { kind: 'certificate', thumbprint: 'abc' }, clientSecret: undefined, privateKey: 'not a key' });
      const validation = await core.validateProfile(draft);
      expect(validation.fieldErrors.thumbprint).toMatch(/40 hexadecimal characters/);
      expect(validation.fieldErrors.privateKey).toMatch(/not a PEM private key/);
      // The test CA's keys are EC: refused in plain words, as the assertion is signed RS256.
      const issued = await (await createTestCa()).issue(['robot.example']);
      const ec = await core.validateProfile(appDraft({ clientAuth: { kind: 'certificate', thumbprint: 'ab'.repeat(20) }, clientSecret: undefined, privateKey: issued.keyPem }));
      expect(ec.fieldErrors.privateKey).toMatch(/not an RSA key/);
      const good = appDraft({ clientAuth: { kind: 'certificate', thumbprint: 'AB:'.repeat(19) + 'AB' }, clientSecret: undefined, privateKey: CERT_PRIVATE_KEY });
      const ok = await core.validateProfile(good);
      expect(ok.fieldErrors).toEqual({});
      const saved = await core.saveProfile(good);
      expect(saved.clientAuth).toEqual({ kind: 'certificate', thumbprint: 'ab'.repeat(20), saved: true });
      expect(JSON.stringify(saved)).not.toContain('PRIVATE KEY');
    });
  });

  it('a user profile with a client secret (a Google desktop client) signs in with it and refreshes', async () => {
    const { core, browser } = await makeCore(tempDir(), { answers: [alice], port: desktopPort });
    const profile = await core.saveProfile({
      name: 'Desktop client with secret',
      kind: 'oidc',
      preset: 'custom-oidc',
      clientId: DESKTOP_CLIENT_ID,
      authority: idp.oidcIssuer,
      defaultScopes: [`${DEMO_API}/read`],
      signInMethod: 'system-browser',
      clientAuth: { kind: 'secret' },
      clientSecret: DESKTOP_SECRET,
    });
    expect(profile.clientAuth).toEqual({ kind: 'secret', saved: true });
    const account = await core.addAccount({ profileId: profile.id });
    await browser.settled();
    expect(account).toMatchObject({ username: alice.username, status: { kind: 'valid' } });
    expect(account.appIdentity).toBeUndefined();
    const grant = await core.acquireAccessToken(account.id, { forceRefresh: true });
    expect(decodeJwt(grant.accessToken)).toMatchObject({ sub: alice.sub, client_id: DESKTOP_CLIENT_ID });
  });

  describe('custom CA per profile', () => {
    const userDraft = (caFile?: string): ProfileDraft => ({
      name: 'Lab provider',
      kind: 'oidc',
      preset: 'custom-oidc',
      clientId: PUBLIC_CLIENT_ID,
      authority: idp.oidcIssuer,
      defaultScopes: [`${DEMO_API}/read`],
      signInMethod: 'system-browser',
      ...(caFile !== undefined ? { caFile } : {}),
    });

    it('validates the CA file at save, in plain words, next to the field', async () => {
      const { core } = await makeCore(tempDir(), { hostTrustsIdp: false });
      const dir = tempDir();
      const notPem = join(dir, 'notes.txt');
      writeFileSync(notPem, 'hello');
      expect((await core.validateProfile(userDraft('ca.pem'))).fieldErrors.caFile).toMatch(/full path/);
      expect((await core.validateProfile(userDraft(join(dir, 'missing.pem')))).fieldErrors.caFile).toMatch(/no file at this path/);
      expect((await core.validateProfile(userDraft(dir))).fieldErrors.caFile).toMatch(/is a folder/);
      expect((await core.validateProfile(userDraft(notPem))).fieldErrors.caFile).toMatch(/holds no certificate/);
      expect((await rejection(core.saveProfile(userDraft(notPem)), AppError)).message).toMatch(/holds no certificate/);
    });

    it('without the CA the provider is not trusted and the message points at the profile field; with the test IdP CA it signs in', async () => {
      const { core, browser } = await makeCore(tempDir(), { hostTrustsIdp: false, answers: [alice] });
      const untrusted = await core.validateProfile(userDraft());
      expect(untrusted.valid).toBe(false);
      expect(untrusted.fieldErrors.caFile).toMatch(/not trusted by this computer.*"Custom CA certificate"/);
      expect(untrusted.fieldErrors.caFile).not.toMatch(/verify/);

      // A profile saved without the CA fails at sign-in with the same advice.
      const bare = await core.saveProfile(userDraft());
      const failed = await rejection(core.addAccount({ profileId: bare.id }), AppError);
      expect(failed.message).toMatch(/"Custom CA certificate"/);
      expect(failed.message).not.toMatch(/"verify"/);

      // Another CA's certificate: the message says this file is the wrong one.
      const otherCa = await createTestCa();
      const otherPath = join(tempDir(), 'other-ca.pem');
      writeFileSync(otherPath, otherCa.caCertPem);
      expect((await core.validateProfile(userDraft(otherPath))).fieldErrors.caFile).toMatch(/not issued by the CA in this file/);

      const withCa = userDraft(idp.caPath);
      expect(await core.validateProfile(withCa)).toMatchObject({ valid: true, fieldErrors: {} });
      const profile = await core.saveProfile(withCa);
      expect(profile.caFile).toBe(idp.caPath);
      const account = await core.addAccount({ profileId: profile.id });
      await browser.settled();
      expect(account).toMatchObject({ username: alice.username, status: { kind: 'valid' } });
    });

    it('a CA file removed after saving is reported about the profile field, not the auth core\'s "verify" option', async () => {
      const { core } = await makeCore(tempDir(), { hostTrustsIdp: false });
      const caPath = join(tempDir(), 'lab-ca.pem');
      writeFileSync(caPath, idp.caCertPem);
      const profile = await core.saveProfile(userDraft(caPath));
      rmSync(caPath);
      const error = await rejection(core.addAccount({ profileId: profile.id }), AppError);
      expect(error.code).toBe('invalid_profile');
      expect(error.message).toMatch(/"Custom CA certificate" of the profile "Lab provider" cannot be used: There is no file at this path/);
      expect(error.message).not.toMatch(/verify/);
    });
  });

  it('a profile copied from the demo profile still signs in after a restart moved the demo provider to another port', async () => {
    const dataDir = tempDir();
    const staticDir = tempDir();
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    const answers: ScriptedAnswer[] = [];
    let demoIdp = await startTestIdp();
    const start = async (provider: TestIdp) => {
      const browser = scriptedSystemBrowser({ caCertPem: provider.caCertPem, nextAnswer: () => answers.shift() ?? 'ignore' });
      browsers.push(browser);
      const mode = await startBrowserMode({
        version: '0.0.0-test',
        staticDir,
        dataDir,
        clipboard: new RecordingClipboard(),
        openExternal: browser.openExternal,
        signInTimeoutMs: 30_000,
        demo: {
          profile: { name: 'Local demo provider', kind: 'oidc', clientId: PUBLIC_CLIENT_ID, authority: provider.oidcIssuer, defaultScopes: [`${DEMO_API}/read`], signInMethod: 'system-browser' },
          origin: provider.origin,
          caPath: provider.caPath,
          instanceDiscoveryUrl: provider.instanceDiscoveryUrl,
        },
      });
      return { mode, browser };
    };
    try {
      const first = await start(demoIdp);
      const demo = (await first.mode.core.listProfiles()).find((p) => p.builtIn);
      expect(demo).toBeDefined();
      // What "Duplicate" on the demo profile sends.
      const copy = await first.mode.core.saveProfile({
        name: 'My demo copy',
        kind: 'oidc',
        preset: 'custom-oidc',
        clientId: demo!.clientId,
        authority: demo!.authority,
        defaultScopes: [...demo!.defaultScopes],
        signInMethod: 'system-browser',
      });
      expect(copy.demoProvider).toBe(true);
      answers.push(alice);
      const before = await first.mode.core.addAccount({ profileId: copy.id });
      await first.browser.settled();
      await first.mode.close();
      const oldOrigin = demoIdp.origin;
      await demoIdp.stop();

      demoIdp = await startTestIdp();
      expect(demoIdp.origin).not.toBe(oldOrigin);
      const second = await start(demoIdp);
      const moved = (await second.mode.core.listProfiles()).find((p) => p.id === copy.id);
      expect(moved?.authority).toBe(demoIdp.oidcIssuer);
      answers.push(alice);
      const account = await second.mode.core.addAccount({ profileId: copy.id });
      await second.browser.settled();
      expect(account).toMatchObject({ profileId: copy.id, username: alice.username, status: { kind: 'valid' } });
      // The same account as before the restart (account ids use the host name, not the port), not a second row.
      expect(account.id).toBe(before.id);
      expect((await second.mode.core.listAccounts()).map((a) => a.id)).toEqual([before.id]);
      await second.mode.close();
    } finally {
      await demoIdp.stop();
    }
  });
});
