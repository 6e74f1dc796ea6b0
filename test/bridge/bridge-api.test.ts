/**
 * The bridge's side of the app's API: what the UI calls to answer prompts, list and revoke
 * standing rules, read the activity log and choose the default account — bound late to a running
 * bridge, and composed with the core's operations into one API with one event stream.
 */
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, AppEvent, CommandLineTool, CoreMethods, ProviderProfile } from '../../preload/contract';
import { startBridge, type Bridge } from '../../main/bridge';
import { ActivityLog } from '../../main/bridge/activity-log';
import { BridgeApi, composeAppApi, type CommandLineInstaller } from '../../main/bridge/bridge-api';
import type { RequestContext } from '../../main/bridge/channel-server';
import type { Notice } from '../../main/bridge/protocol';
import type { BridgeCore } from '../../main/bridge/token-source';
import type { KeyValueStore } from '../../main/persistence/settings-store';

const TOKEN = `bridge-api-test-token-${process.pid}`;
const ALICE: AccountView = {
  id: 'alice-account',
  profileId: 'p-demo',
  profileName: 'Demo',
  providerKind: 'oidc',
  username: 'alice@contoso.com',
  status: { kind: 'valid', expiresOn: Math.floor(Date.now() / 1000) + 3600 },
  pinned: false,
  storage: 'memory-only',
};
const PROFILE: ProviderProfile = { id: 'p-demo', name: 'Demo', kind: 'oidc', preset: 'custom-oidc', clientId: 'demo', authority: 'https://127.0.0.1/oidc', defaultScopes: ['api://demo/read'], signInMethod: 'system-browser' };

/** An in-memory app core (our own interface) with one account whose token is always cached. */
function memoryCore(): BridgeCore {
  return {
    getAppInfo: async () => ({ version: 'test', platform: process.platform, mode: 'browser', demoProviderAvailable: false }),
    listAccounts: async () => [ALICE],
    listProfiles: async () => [PROFILE],
    getStorageStatus: async () => ({ mode: 'memory-only', backend: 'test' }),
    reauthenticate: async () => ALICE,
    subscribe: () => () => undefined,
    acquireAccessToken: async (_accountId, options) => ({ accessToken: TOKEN, tokenType: 'Bearer', expiresOn: Math.floor(Date.now() / 1000) + 3600, scopes: options?.scopes ?? PROFILE.defaultScopes }),
  };
}

function memoryStore(): KeyValueStore {
  const values = new Map<string, unknown>();
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value), delete: (key) => void values.delete(key) };
}

/** An installer that records what it was asked (the real one has its own test). */
function recordingInstaller(): CommandLineInstaller & { installs: number } {
  const tool: CommandLineTool = { installPath: '/home/u/.local/bin/tessera', installed: false, onPath: true };
  return {
    installs: 0,
    status: () => tool,
    async install() {
      this.installs += 1;
      return { ...tool, installed: true };
    },
  };
}

function requestContext(notices: Notice[] = []): RequestContext {
  return { signal: new AbortController().signal, notify: (notice) => notices.push(notice) };
}

const TERMINAL_CALLER = { program: 'bash', tty: '/dev/pts/7', terminalSession: '4242', cwd: '/work', integration: 'cli' as const };

describe('BridgeApi before the bridge runs', () => {
  it('says why in the status, lists nothing, and refuses answers with bridge_unavailable', async () => {
    const api = new BridgeApi(recordingInstaller());
    api.detach('It could not start: the socket folder belongs to another user.');
    expect(await api.getBridgeStatus()).toEqual({
      running: false,
      reason: 'It could not start: the socket folder belongs to another user.',
      defaultAccountId: null,
      commandLineTool: { installPath: '/home/u/.local/bin/tessera', installed: false, onPath: true },
    });
    expect(await api.listConsentPrompts()).toEqual([]);
    expect(await api.listActivity()).toEqual([]);
    await expect(api.answerConsent('p-1', 'once')).rejects.toMatchObject({ code: 'bridge_unavailable', message: expect.stringContaining('socket folder belongs to another user') });
    await expect(api.setDefaultAccount(ALICE.id)).rejects.toMatchObject({ code: 'bridge_unavailable' });
  });
});

describe('BridgeApi on a running bridge', () => {
  let runtimeDir: string;
  let dataDir: string;
  let bridge: Bridge;
  let bridgeApi: BridgeApi;
  let installer: ReturnType<typeof recordingInstaller>;
  let settingsStore: KeyValueStore;

  beforeEach(async () => {
    runtimeDir = await mkdtemp(join(tmpdir(), 'tessera-bridge-api-run-'));
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-bridge-api-data-'));
    settingsStore = memoryStore();
    bridge = await startBridge({ core: memoryCore(), settingsStore, dataDir, env: { XDG_RUNTIME_DIR: runtimeDir }, approvals: { uiOpen: () => true, where: 'the test' } });
    installer = recordingInstaller();
    bridgeApi = new BridgeApi(installer);
    bridgeApi.attach(bridge);
  });

  afterEach(async () => {
    await bridge.close();
    await rm(runtimeDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pushes a prompt as an app event; an "always" answer hands the token out, makes a rule and logs the hand-out', async () => {
    const events: AppEvent[] = [];
    bridgeApi.subscribe((event) => events.push(event));
    const notices: Notice[] = [];
    const answer = bridge.service.handle({ v: 1, id: 1, method: 'token', params: {}, caller: TERMINAL_CALLER } as never, requestContext(notices));

    await expect.poll(() => events.find((event) => event.type === 'consent-requested')).toBeDefined();
    const [prompt] = await bridgeApi.listConsentPrompts();
    expect(prompt).toMatchObject({ username: ALICE.username, profileName: 'Demo', scopes: ['api://demo/read'], hasTerminal: true, caller: { program: 'bash', tty: '/dev/pts/7', cwd: '/work' } });
    expect(notices[0]?.message).toBe('Approve this request in the test. Waiting…');

    await bridgeApi.answerConsent(prompt?.id ?? '', 'always');
    await expect(answer).resolves.toMatchObject({ accessToken: TOKEN, scopes: ['api://demo/read'] });
    expect(events.map((event) => event.type)).toEqual(['consent-requested', 'consent-resolved', 'standing-rules-changed', 'activity-added']);

    const [rule] = await bridgeApi.listStandingRules();
    expect(rule).toMatchObject({ program: 'bash', accountId: ALICE.id, scopes: ['api://demo/read'] });
    const [entry] = await bridgeApi.listActivity();
    expect(entry).toMatchObject({ outcome: 'handed-out', basis: 'standing-rule', username: ALICE.username, integration: 'cli' });
    // Nothing the UI receives holds the token.
    expect(JSON.stringify([events, await bridgeApi.listActivity(), await bridgeApi.listStandingRules()])).not.toContain(TOKEN);

    await bridgeApi.revokeStandingRule(rule?.id ?? '');
    expect(await bridgeApi.listStandingRules()).toEqual([]);
    await expect(bridgeApi.revokeStandingRule(rule?.id ?? '')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('an answer to a prompt that is no longer waiting is not_found; "session" needs a terminal', async () => {
    await expect(bridgeApi.answerConsent('gone', 'once')).rejects.toMatchObject({ code: 'not_found' });
    const answer = bridge.service.handle({ v: 1, id: 2, method: 'token', params: {}, caller: { program: 'vim', integration: 'cli' } } as never, requestContext());
    // No terminal and no rule: refused at once, never prompted.
    await expect(answer).rejects.toMatchObject({ code: 'no_standing_rule' });
    expect(await bridgeApi.listConsentPrompts()).toEqual([]);
    expect((await bridgeApi.listActivity())[0]).toMatchObject({ outcome: 'denied', code: 'no_standing_rule' });
  });

  it('reports the socket and the chosen default account, and installs the command through its installer', async () => {
    expect(await bridgeApi.getBridgeStatus()).toMatchObject({ running: true, endpoint: join(runtimeDir, 'tessera', 'bridge.sock'), defaultAccountId: null });
    await bridgeApi.setDefaultAccount(ALICE.id);
    expect((await bridgeApi.getBridgeStatus()).defaultAccountId).toBe(ALICE.id);
    await expect(bridgeApi.setDefaultAccount('someone-else')).rejects.toMatchObject({ code: 'not_found' });
    await bridgeApi.setDefaultAccount(null);
    expect((await bridgeApi.getBridgeStatus()).defaultAccountId).toBeNull();
    expect(await bridgeApi.installCommandLineTool()).toMatchObject({ installed: true });
    expect(installer.installs).toBe(1);
  });

  it('keeps the activity log across a restart, in its own file, without any token', async () => {
    const refused = bridge.service.handle({ v: 1, id: 4, method: 'token', params: {}, caller: { program: 'cron', integration: 'kubectl' } } as never, requestContext());
    await expect(refused).rejects.toMatchObject({ code: 'no_standing_rule' });
    await bridge.close();
    const file = join(dataDir, 'activity.jsonl');
    expect(readFileSync(file, 'utf8')).toContain('"program":"cron"');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Not in the settings file: rewriting that on every hand-out made each one wait for the disk.
    expect(settingsStore.get('bridgeActivity')).toBeUndefined();

    bridge = await startBridge({ core: memoryCore(), settingsStore, dataDir, env: { XDG_RUNTIME_DIR: runtimeDir }, approvals: { uiOpen: () => true, where: 'the test' } });
    bridgeApi.attach(bridge);
    expect(await bridgeApi.listActivity()).toEqual([expect.objectContaining({ outcome: 'denied', code: 'no_standing_rule', integration: 'kubectl', caller: { program: 'cron' } })]);
    // A line cut by a crash or edited by hand is dropped, the rest kept.
    appendFileSync(file, '{"id":"x","outcome":"stolen"}\n{"id":"half-writ');
    await bridge.close();
    bridge = await startBridge({ core: memoryCore(), settingsStore, dataDir, env: { XDG_RUNTIME_DIR: runtimeDir }, approvals: { uiOpen: () => true, where: 'the test' } });
    bridgeApi.attach(bridge);
    expect(await bridgeApi.listActivity()).toHaveLength(1);
  });

  it('appends hand-outs off their path and compacts the file to the newest entries', async () => {
    const file = join(dataDir, 'log.jsonl');
    const log = new ActivityLog({ file, capacity: 3 });
    const entry = (n: number) => ({ at: n, outcome: 'denied' as const, caller: { program: `p${n}` }, accountId: 'a', username: 'u', scopes: [], integration: 'cli' as const });
    for (let n = 1; n <= 5; n += 1) log.add(entry(n));
    // Nothing written yet: the hand-out did not wait for the disk.
    expect(existsSync(file)).toBe(false);
    await log.settled();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(5);
    for (let n = 6; n <= 8; n += 1) log.add(entry(n));
    await log.settled();
    // Over twice the cap: rewritten with the newest three.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { caller: { program: string } }).caller.program)).toEqual(['p6', 'p7', 'p8']);
    expect(new ActivityLog({ file, capacity: 3 }).list().map((item) => item.caller.program)).toEqual(['p8', 'p7', 'p6']);
  });

  it('composes with the core: each operation goes to its owner, pushes come from both', async () => {
    const coreEvents: Array<(event: AppEvent) => void> = [];
    const core = {
      listAccounts: async () => [ALICE],
      subscribe: (listener: (event: AppEvent) => void) => {
        coreEvents.push(listener);
        return () => coreEvents.splice(coreEvents.indexOf(listener), 1);
      },
    };
    // Every core operation but one is missing: composing must say which.
    expect(() => composeAppApi(core as unknown as CoreMethods & typeof core, bridgeApi)).toThrow(/is not implemented/);

    const fullCore = new Proxy(core, { get: (target, name) => (name in target ? target[name as keyof typeof target] : async () => `core:${String(name)}`) });
    const api = composeAppApi(fullCore as unknown as CoreMethods & typeof core, bridgeApi);
    expect(await api.listAccounts()).toEqual([ALICE]);
    expect(await api.getSettings()).toBe('core:getSettings');
    expect((await api.getBridgeStatus()).running).toBe(true);

    const seen: string[] = [];
    const unsubscribe = api.subscribe((event) => seen.push(event.type));
    coreEvents[0]?.({ type: 'clipboard-cleared' });
    const refused = bridge.service.handle({ v: 1, id: 3, method: 'token', params: {}, caller: { program: 'make', integration: 'cli' } } as never, requestContext());
    await expect(refused).rejects.toMatchObject({ code: 'no_standing_rule' });
    expect(seen).toEqual(['clipboard-cleared', 'activity-added']);
    unsubscribe();
    expect(coreEvents).toHaveLength(0);
  });
});
