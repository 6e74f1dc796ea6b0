/**
 * The integrations end to end: the real browser-mode host with its token bridge, the real test
 * identity provider, and the real tools — kubectl, git, @azure/identity — running the real
 * `tessera` command in a pseudo-terminal (util-linux `script`), as a person would in a terminal.
 * Each token is checked against the provider's demo API, and each hand-out must appear in the
 * Activity log under the tool's name.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserMode } from '../../../main/browser-host/browser-mode';
import { chromiumInstalled } from '../../support/browser';
import { startGitHttpStandIn, type GitHttpStandIn } from '../../support/git-http-stand-in';
import { DEMO_API, type TestIdp } from '../../support/idp';
import { standInKubeconfig, startKubeApiStandIn, type KubeApiStandIn } from '../../support/kube-api-stand-in';
import { CommandLineToolInstaller, commandLineToolFiles } from '../../../main/bridge/command-line-tool';
import { ensureNativeClient, goInstalled } from '../../support/native-client';
import { command, file, requires } from '../../support/requires';
import { DEMO_USER, REPO_ROOT as ROOT, startRunningApp, TESSERA_BIN as BIN, type RunningApp } from '../../support/running-app';
import { inTerminal as runInTerminal, shellWord as q, type TerminalRun } from '../../support/terminal';
import { createTestCa, type TestCa } from '../../support/test-certs';

const KUBECTL = '/usr/bin/kubectl';
// The demo user and the subject the test provider gives it.
const ALICE = { ...DEMO_USER, sub: 'alice-sub-6a1f0c' };
const SCOPE = `${DEMO_API}/.default`;

requires(chromiumInstalled(), command('script', 'apt-get install util-linux (the integrations run in a pseudo-terminal)')).describe('kubectl, git and the Azure SDKs get tokens from the running app', () => {
  let app: RunningApp;
  let idp: TestIdp;
  let mode: BrowserMode;
  let dir: string;
  let runtimeDir: string;
  let ca: TestCa;

  /** The demo API's verdict on a token: the subject it belongs to, or undefined when refused. */
  function subjectOf(token: string): Promise<string | undefined> {
    return new Promise((done, fail) => {
      const request = httpsRequest(idp.demoApiUrl, { ca: idp.caCertPem, headers: { Authorization: `Bearer ${token}` } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => done(response.statusCode === 200 ? (JSON.parse(body) as { sub: string }).sub : undefined));
      });
      request.on('error', fail);
      request.end();
    });
  }

  /** Runs a shell command line in a fresh pseudo-terminal, `tessera` on PATH; stdout and stderr merged. */
  function inTerminal(commandLine: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<TerminalRun> {
    return runInTerminal(commandLine, { cwd: ROOT, env: { PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: dir, XDG_RUNTIME_DIR: runtimeDir, ...extraEnv } });
  }

  const activity = () => mode.bridge?.service.listActivity() ?? [];

  beforeAll(async () => {
    app = await startRunningApp({ name: 'integrations-e2e', defaultScopes: [SCOPE], bridge: {} });
    ({ idp, mode, dataDir: dir } = app);
    runtimeDir = app.runtimeDir ?? '';
    ca = await createTestCa();
    // `tessera` on PATH, as an installed command would be.
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'tessera'), `#!/bin/sh\nexec ${q(process.execPath)} ${q(BIN)} "$@"\n`, { mode: 0o755 });
    await app.signInDemoUser();
    // Builds the command's bundle once, outside the timed cases.
    expect((await inTerminal('tessera --version')).code).toBe(0);
  }, 180_000);

  afterAll(() => app?.close());

  requires(file(KUBECTL, 'kubectl', 'apt-get install kubectl')).describe('kubectl', () => {
    let api: KubeApiStandIn;
    beforeAll(async () => {
      api = await startKubeApiStandIn(ca, async (token) => (await subjectOf(token)) === ALICE.sub);
    });
    afterAll(async () => api?.close());

    it('the users: entry from kubeconfig-user makes kubectl list namespaces with Alice’s token, approved once', async () => {
      const entry = await inTerminal(`tessera kubeconfig-user e2e-alice ${ALICE.username} --server-id ${DEMO_API}`);
      expect(entry.code).toBe(0);
      expect(entry.output).toContain(`      command: ${JSON.stringify(BIN)}`);
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, standInKubeconfig(api.server, ca.caCertPem, 'e2e-alice', entry.output));
      app.answers.push('once');
      const run = await inTerminal(`${KUBECTL} --kubeconfig ${q(kubeconfig)} get namespaces -o name`, { KUBECACHEDIR: join(dir, 'kube-cache') });
      expect(run.code).toBe(0);
      expect(run.output).toContain('namespace/tessera-demo');
      expect(api.requests.length).toBeGreaterThan(0);
      expect(api.requests.every((request) => request.status === 200)).toBe(true);
      expect(app.prompts.at(-1)).toMatchObject({ integration: 'kubectl', username: ALICE.username, scopes: [SCOPE], caller: { program: 'kubectl', integration: 'kubectl' } });
      expect(activity()[0]).toMatchObject({ outcome: 'handed-out', integration: 'kubectl', username: ALICE.username, scopes: [SCOPE], basis: 'once' });
    });

    requires(goInstalled()).it('with the native client installed, kubeconfig-user names the installed link and kubectl runs the native client', async () => {
      const linkDir = join(dir, 'native-bin');
      const installed = await new CommandLineToolInstaller({ ...commandLineToolFiles(ROOT), native: await ensureNativeClient(), binDir: linkDir }).install();
      const onPath = { PATH: `${linkDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
      const entry = await inTerminal(`tessera kubeconfig-user e2e-native ${ALICE.username} --server-id ${DEMO_API}`, onPath);
      expect(entry.code).toBe(0);
      expect(entry.output).toContain(`      command: ${JSON.stringify(installed.installPath)}`);
      const kubeconfig = join(dir, 'kubeconfig-native');
      await writeFile(kubeconfig, standInKubeconfig(api.server, ca.caCertPem, 'e2e-native', entry.output));
      const before = api.requests.length;
      app.answers.push('once');
      const run = await inTerminal(`${KUBECTL} --kubeconfig ${q(kubeconfig)} get namespaces -o name`, { ...onPath, KUBECACHEDIR: join(dir, 'kube-cache-native') });
      expect(run.code).toBe(0);
      expect(run.output).toContain('namespace/tessera-demo');
      expect(api.requests.length).toBeGreaterThan(before);
      expect(api.requests.slice(before).every((request) => request.status === 200)).toBe(true);
      expect(app.prompts.at(-1)).toMatchObject({ integration: 'kubectl', caller: { program: 'kubectl', integration: 'kubectl' } });
      expect(activity()[0]).toMatchObject({ outcome: 'handed-out', integration: 'kubectl', username: ALICE.username, scopes: [SCOPE], basis: 'once' });
    });
  });

  describe('git', () => {
    let server: GitHttpStandIn;
    beforeAll(async () => {
      const root = join(dir, 'served');
      const seed = join(dir, 'seed');
      const git = (args: readonly string[], cwd: string) =>
        new Promise<void>((done, fail) =>
          execFile('git', args, { cwd, env: { PATH: process.env['PATH'], HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org' } }, (error) =>
            error ? fail(error) : done(),
          ),
        );
      await git(['init', '-q', '-b', 'main', seed], dir);
      await writeFile(join(seed, 'README'), 'through the app\n');
      await git(['add', 'README'], seed);
      await git(['commit', '-q', '-m', 'first'], seed);
      await mkdir(join(root, 'contoso'), { recursive: true });
      await git(['clone', '-q', '--bare', seed, join(root, 'contoso', 'app.git')], dir);
      server = await startGitHttpStandIn({ ca, projectRoot: root, owners: { contoso: ALICE.username }, accountOf: async (token) => ((await subjectOf(token)) === ALICE.sub ? ALICE.username : undefined) });
      await writeFile(join(dir, 'ca.pem'), ca.caCertPem);
      await writeFile(join(dir, '.gitconfig'), [`[credential "${server.origin}/contoso"]`, `\thelper = "!tessera git-credential --account ${ALICE.username} --resource ${DEMO_API}"`, ''].join('\n'));
    });
    afterAll(async () => server?.close());

    it('git clones with the helper from a credential context; the hand-out is logged as git', async () => {
      app.answers.push('once');
      const target = join(dir, 'cloned');
      const run = await inTerminal(`git clone -q ${q(`${server.origin}/contoso/app.git`)} ${q(target)}`, { GIT_SSL_CAINFO: join(dir, 'ca.pem'), GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' });
      expect(run.code).toBe(0);
      expect(await readFile(join(target, 'README'), 'utf8')).toBe('through the app\n');
      expect(server.requests.some((request) => request.status === 200 && request.account === ALICE.username && request.scheme === 'basic')).toBe(true);
      // git runs helpers through `sh -c`: the command reports git, so a standing rule names git, not the shell.
      expect(app.prompts.at(-1)).toMatchObject({ integration: 'git', username: ALICE.username, scopes: [SCOPE], caller: { program: 'git', parentProgram: expect.stringMatching(/^git-remote-http/) } });
      expect(activity()[0]).toMatchObject({ outcome: 'handed-out', integration: 'git', scopes: [SCOPE] });
    });
  });

  it('exec --azure-identity: ManagedIdentityCredential and DefaultAzureCredential in a Node child; one terminal-session approval covers both requests', async () => {
    const script = join(dir, 'azure-app.mjs');
    await writeFile(
      script,
      [
        "import { request } from 'node:https';",
        "import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';",
        'const sub = (token) => new Promise((done, fail) => {',
        "  const req = request(process.env.DEMO_API_URL, { ca: process.env.DEMO_API_CA, headers: { Authorization: `Bearer ${token}` } }, (res) => {",
        "    let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => done(res.statusCode === 200 ? JSON.parse(body).sub : `refused ${res.statusCode}`));",
        "  }); req.on('error', fail); req.end();",
        '});',
        `const mi = await new ManagedIdentityCredential().getToken(${JSON.stringify(SCOPE)});`,
        `const dac = await new DefaultAzureCredential().getToken(${JSON.stringify(SCOPE)});`,
        // The SDK caches per process, so the same scope again would not ask; naming the account does.
        `const named = await new ManagedIdentityCredential({ clientId: ${JSON.stringify(ALICE.username)} }).getToken(${JSON.stringify(SCOPE)});`,
        "console.log(`mi=${await sub(mi.token)} dac=${await sub(dac.token)} named=${await sub(named.token)} endpoint=${process.env.IDENTITY_ENDPOINT}`);",
        '',
      ].join('\n'),
    );
    app.answers.push('session');
    const before = activity().length;
    // The script runs from the checkout so that it finds @azure/identity; it is a plain SDK user.
    const run = await inTerminal(`tessera exec ${ALICE.username} --azure-identity -- node --input-type=module -e "$(cat ${q(script)})"; echo "exit=$?"`, {
      DEMO_API_URL: idp.demoApiUrl,
      DEMO_API_CA: idp.caCertPem,
    });
    expect(run.output).toContain(`mi=${ALICE.sub} dac=${ALICE.sub} named=${ALICE.sub} endpoint=http://127.0.0.1:`);
    expect(run.output).toContain('exit=0');
    const handedOut = activity().slice(0, activity().length - before);
    expect(handedOut.map((entry) => [entry.integration, entry.outcome, entry.caller.program])).toEqual([
      ['azure-identity', 'handed-out', 'node'],
      ['azure-identity', 'handed-out', 'node'],
    ]);
    expect(handedOut.map((entry) => entry.basis)).toEqual(['terminal-session', 'terminal-session']);
    const endpoint = /endpoint=(\S+)/.exec(run.output)?.[1] ?? '';
    await expect(fetch(endpoint)).rejects.toThrow();
  });

  it('token --format az prints az’s JSON with a token the API accepts', async () => {
    app.answers.push('once');
    const run = await inTerminal(`tessera token ${ALICE.username} --resource ${DEMO_API} --format az`);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.output.slice(run.output.indexOf('{'))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['accessToken', 'expiresOn', 'expires_on', 'tokenType']);
    expect(json['expiresOn']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.000000$/);
    expect(await subjectOf(String(json['accessToken']))).toBe(ALICE.sub);
    expect(activity()[0]).toMatchObject({ outcome: 'handed-out', integration: 'cli', scopes: [SCOPE] });
  });

  it('a denied kubectl-credential exits with the command’s consent code and one line', async () => {
    app.answers.push('deny');
    const run = await inTerminal(`tessera kubectl-credential ${ALICE.username} --scope ${SCOPE}; echo "exit=$?"`);
    expect(run.output).toContain('tessera: The request was denied in Tessera.');
    expect(run.output).toContain('exit=5');
    expect(activity()[0]).toMatchObject({ outcome: 'denied', integration: 'kubectl' });
  });
});
