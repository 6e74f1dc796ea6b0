/**
 * The `tessera` command end to end: the real browser-mode host with its token bridge, the real
 * test identity provider, Chromium for the sign-in, and the command run as a real process — in a
 * real terminal (a pseudo-terminal from util-linux `script`) or without one, as CI jobs run it.
 * Tokens are checked by piping them into curl against the provider's demo API.
 *
 * Every case runs twice: with the Node client (the bin) and with the native client (cli/native),
 * which answers `token` itself and hands the rest to the Node client — both must behave alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserMode } from '../../main/browser-host/browser-mode';
import { chromiumInstalled } from '../support/browser';
import { DEMO_API, PUBLIC_CLIENT_ID, type TestIdp } from '../support/idp';
import { ensureNativeClient, goInstalled } from '../support/native-client';
import { command, requires, type Requirement } from '../support/requires';
import { DEMO_USER, REPO_ROOT as ROOT, startRunningApp, TESSERA_BIN as BIN, type RunningApp } from '../support/running-app';
import { inTerminal as runInTerminal, shellWord as q, withoutTerminal, type ProcessRun as Run } from '../support/terminal';

const ALICE = DEMO_USER;
// A terminal session's approval ends after this long without use (10 minutes in the app).
const SESSION_IDLE_MS = 1_500;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;

/** A client of the channel: how to start it (the program and its first arguments). */
interface Client {
  readonly name: string;
  readonly needs: readonly Requirement[];
  readonly argv: () => Promise<readonly [string, ...string[]]>;
}

const CLIENTS: readonly Client[] = [
  { name: 'Node client', needs: [], argv: async () => [process.execPath, BIN] },
  { name: 'native client', needs: [goInstalled()], argv: async () => [await ensureNativeClient()] },
];

for (const client of CLIENTS) {
  requires(chromiumInstalled(), command('script', 'apt-get install util-linux (the terminal cases need a pseudo-terminal)'), ...client.needs).describe(`tessera command (${client.name}) against the running app`, () => {
    let app: RunningApp;
    let argv: readonly [string, ...string[]];
    let idp: TestIdp;
    let mode: BrowserMode;
    let runtimeDir: string;
    const stderrSeen: string[] = [];

    const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_RUNTIME_DIR: runtimeDir });

    /** Runs the command without a terminal (as a CI job or an editor would). */
    async function tessera(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
      const run = await withoutTerminal(argv[0], [...argv.slice(1), ...args], { cwd: ROOT, env: { ...env(), ...extraEnv } });
      stderrSeen.push(run.stderr);
      return run;
    }

    /** Runs a shell command line inside a fresh pseudo-terminal; `tessera` is on its PATH as a function. */
    async function inTerminal(commandLine: string): Promise<Run> {
      // The terminal merges both streams: all of it counts as what the command showed.
      const { code, output } = await runInTerminal(`tessera() { ${argv.map(q).join(' ')} "$@"; }; ${commandLine}`, { cwd: ROOT, env: env() });
      stderrSeen.push(output);
      return { code, stdout: output, stderr: '' };
    }

    const curlDemoApi = `curl -sS --cacert ${q('CA')} -H @- ${q('URL')}`;
    const curl = (): string => curlDemoApi.replace(q('CA'), q(idp.caPath)).replace(q('URL'), q(idp.demoApiUrl));

    beforeAll(async () => {
      argv = await client.argv();
      app = await startRunningApp({ name: 'cli-e2e', bridge: { lifetimes: { sessionIdleMs: SESSION_IDLE_MS } } });
      ({ idp, mode } = app);
      runtimeDir = app.runtimeDir ?? '';
      // Builds the bundle once (the bin builds it on first use in a fresh checkout).
      const version = await tessera(['--version']);
      expect(version.code).toBe(0);
    }, 180_000);

    afterAll(() => app?.close());

    it('reports the running app, its socket and where to approve', async () => {
      expect(mode.bridge).toBeDefined();
      const run = await tessera(['status']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Tessera 0.0.0-e2e is running (browser mode');
      expect(run.stdout).toContain(join(runtimeDir, 'tessera', 'bridge.sock'));
      expect(run.stdout).toContain(`approvals: the Tessera page at ${mode.host.origin} (not open now)`);
      const json = JSON.parse((await tessera(['status', '--json'])).stdout) as { accounts: number; storage: { mode: string } };
      expect(json.accounts).toBe(0);
      expect(json.storage.mode).toBe('memory-only');
    });

    it('says so with exit 6 before any account exists, and 3 when the app is not running', async () => {
      const none = await tessera(['token']);
      expect(none.code).toBe(6);
      expect(none.stderr).toMatch(/^tessera: Tessera has no accounts yet\. Add one in the Tessera window first\.\n$/);
      const elsewhere = await mkdtemp(join(tmpdir(), 'tessera-none-'));
      try {
        const down = await tessera(['token'], { XDG_RUNTIME_DIR: elsewhere });
        expect(down.code).toBe(3);
        expect(down.stderr).toMatch(/^tessera: Tessera is not running \(nothing at .*bridge\.sock\)\. Start it/);
        expect(down.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    });

    it('refuses usage errors with exit 2 and one line', async () => {
      const run = await tessera(['token', '--format', 'yaml']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('tessera: --format must be raw, header, json or env.\n');
      expect((await tessera(['exec', 'alice'])).code).toBe(2);
    });

    it('after sign-in, lists the account and hands a token, once approved, to curl against the API', async () => {
      await app.signInDemoUser();
      const listed = JSON.parse((await tessera(['accounts', '--json'])).stdout) as { username: string; isDefault: boolean; status: string }[];
      expect(listed).toEqual([expect.objectContaining({ username: ALICE.username, isDefault: true, status: 'valid' })]);

      app.answers.push('once');
      const run = await inTerminal(`tessera token ${ALICE.username} --format header | ${curl()}`);
      expect(run.code).toBe(0);
      // No page is open: the command says where to approve, and waits.
      expect(run.stdout).toContain(`tessera: Tessera has no window open: open the Tessera page at ${mode.host.origin} to approve this request. Waiting…`);
      const body = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { sub: string; client_id: string };
      expect(body.sub).toBe('alice-sub-6a1f0c');
      expect(body.client_id).toBe(PUBLIC_CLIENT_ID);
      const prompt = app.prompts.at(-1);
      expect(prompt).toMatchObject({ username: ALICE.username, scopes: [`${DEMO_API}/read`], hasTerminal: true, caller: { program: 'sh', integration: 'cli' } });
      expect(prompt?.caller.tty).toMatch(/^\/dev\/pts\/\d+$/);
      expect(prompt?.caller.cwd).toBe(ROOT);
      const [entry] = mode.bridge?.service.listActivity() ?? [];
      expect(entry).toMatchObject({ outcome: 'handed-out', username: ALICE.username, basis: 'once', integration: 'cli', caller: { program: 'sh' } });
    });

    it('a denied request exits 5 and is logged as denied', async () => {
      app.answers.push('deny');
      const run = await inTerminal('tessera token; echo "exit=$?"');
      expect(run.stdout).toContain('tessera: The request was denied in Tessera.');
      expect(run.stdout).toContain('exit=5');
      expect(mode.bridge?.service.listActivity()[0]).toMatchObject({ outcome: 'denied', code: 'consent_denied' });
    });

    it('"allow this terminal session" covers the next call in that terminal, and expires when idle', async () => {
      const before = app.prompts.length;
      app.answers.push('session', 'deny');
      const run = await inTerminal(`tessera token --format header | ${curl()}; echo; tessera token >/dev/null; echo "second=$?"; sleep ${(SESSION_IDLE_MS + 700) / 1000}; tessera token; echo "expired=$?"`);
      expect(run.stdout).toContain('"sub":"alice-sub-6a1f0c"');
      expect(run.stdout).toContain('second=0');
      expect(run.stdout).toContain('expired=5');
      // One prompt for the session, one after it expired; the second call needed none.
      expect(app.prompts.length - before).toBe(2);
      const [expiredEntry, second] = mode.bridge?.service.listActivity() ?? [];
      expect(expiredEntry).toMatchObject({ outcome: 'denied' });
      expect(second).toMatchObject({ outcome: 'handed-out', basis: 'terminal-session' });
    });

    it('a caller without a terminal needs a standing rule; "always allow" makes one, revoking it ends it', async () => {
      const refused = await tessera(['token', '--program', 'ci-job']);
      expect(refused.code).toBe(5);
      expect(refused.stderr).toMatch(/^tessera: No standing rule lets "ci-job" get tokens for alice@contoso\.com.*--program ci-job.*"Always allow"\.\n$/);

      app.answers.push('always');
      const approve = await inTerminal('tessera token --program ci-job >/dev/null; echo "exit=$?"');
      expect(approve.stdout).toContain('exit=0');
      const [rule] = mode.bridge?.service.listStandingRules() ?? [];
      expect(rule).toMatchObject({ program: 'ci-job', username: ALICE.username, scopes: [`${DEMO_API}/read`] });

      const before = app.prompts.length;
      const allowed = await tessera(['token', '--program', 'ci-job', '--format', 'json']);
      expect(allowed.code).toBe(0);
      const json = JSON.parse(allowed.stdout) as { accessToken: string; expiresOn: number; account: string; scopes: string[] };
      expect(json.account).toBe(ALICE.username);
      expect((await idp.introspect(json.accessToken)).active).toBe(true);
      expect(app.prompts.length).toBe(before);
      // The log names the hand-out, never the token.
      expect(JSON.stringify(mode.bridge?.service.listActivity())).not.toContain(json.accessToken);

      mode.bridge?.service.revokeStandingRule(rule?.id ?? '');
      const revoked = await tessera(['token', '--program', 'ci-job']);
      expect(revoked.code).toBe(5);
    });

    it('--min-valid forces exactly one refresh when the cached token expires sooner; a cache hit asks the provider nothing', async () => {
      app.answers.push('always');
      await inTerminal('tessera token --program ci-job >/dev/null');
      const first = await tessera(['token', '--program', 'ci-job', '--format', 'json']);
      const cached = JSON.parse(first.stdout) as { accessToken: string; expiresOn: number };
      idp.resetRequestCount();
      const hit = await tessera(['token', '--program', 'ci-job', '--min-valid', '600']);
      expect(hit.stdout.trim()).toBe(cached.accessToken);
      expect(idp.requestCount('/token')).toBe(0);
      // The token lives an hour: asking for more than that left forces a refresh — exactly one.
      const refreshed = await tessera(['token', '--program', 'ci-job', '--min-valid', '3700', '--format', 'json']);
      expect(refreshed.code).toBe(0);
      const fresh = JSON.parse(refreshed.stdout) as { accessToken: string; expiresOn: number };
      expect(fresh.accessToken).not.toBe(cached.accessToken);
      expect(idp.requestCount('/token')).toBe(1);
      expect((await idp.introspect(fresh.accessToken)).active).toBe(true);
    });

    it('exec puts the token in the child’s environment only and returns the child’s exit code', async () => {
      const run = await tessera(['exec', '--program', 'ci-job', '--', 'sh', '-c', `curl -sS --cacert ${q(idp.caPath)} -H "Authorization: Bearer $TESSERA_ACCESS_TOKEN" ${q(idp.demoApiUrl)}`]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ sub: 'alice-sub-6a1f0c' });
      const named = await tessera(['exec', '--program', 'ci-job', '--env', 'API_TOKEN', '--', 'sh', '-c', 'test -n "$API_TOKEN" && test -z "$TESSERA_ACCESS_TOKEN" && exit 7']);
      expect(named.code).toBe(7);
      expect(mode.bridge?.service.listActivity()[0]).toMatchObject({ integration: 'exec', outcome: 'handed-out' });
    });

    it('sign-in needed exits 4; --interactive starts the sign-in in the app and waits for it', async () => {
      await idp.revokeGrantsFor(ALICE.username);
      const forced = await tessera(['token', '--program', 'ci-job', '--force-refresh']);
      expect(forced.code).toBe(4);
      expect(forced.stderr).toBe(`tessera: ${ALICE.username} must sign in again: use "Sign in again" in Tessera, or run with --interactive.\n`);
      const again = await tessera(['token', '--program', 'ci-job']);
      expect(again.code).toBe(4);

      const interactive = await tessera(['token', '--program', 'ci-job', '--interactive', '--format', 'header']);
      expect(interactive.code).toBe(0);
      expect(interactive.stderr).toContain(`${ALICE.username} must sign in again: Tessera opened the sign-in`);
      const token = interactive.stdout.trim().replace(/^Authorization: Bearer /, '');
      expect((await idp.introspect(token)).active).toBe(true);
    }, 90_000);

    it('keeps serving after an oversized and a malformed request on its socket', async () => {
      const path = join(runtimeDir, 'tessera', 'bridge.sock');
      const refusal = (payload: string) =>
        new Promise<string>((done) => {
          const socket = connect(path);
          let text = '';
          socket.on('data', (chunk) => (text += chunk.toString()));
          socket.on('close', () => done(text));
          socket.on('error', () => done(text));
          socket.write(payload);
        });
      expect(await refusal('x'.repeat(100 * 1024))).toContain('"code":"request_too_large"');
      expect(await refusal('{"v":1,"id":1,"method":"token","params":{},"caller":{}}\n')).toContain('"code":"malformed_request"');
      expect((await tessera(['status'])).code).toBe(0);
    });

    it('never printed a token on stderr or in an error', () => {
      for (const text of stderrSeen) {
        for (const line of text.split('\n').filter((candidate) => candidate.startsWith('tessera:'))) expect(line).not.toMatch(JWT);
      }
      expect(stderrSeen.length).toBeGreaterThan(10);
    });
  });
}
