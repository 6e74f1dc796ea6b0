import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerGitCredential,
  AZURE_DEVOPS_RESOURCE,
  formatCredentialOutput,
  parseCredentialInput,
  parseGitCredentialArgs,
  type GitCredentialOptions,
} from '../../../cli/integrations/git-credential';
import { startGitHttpStandIn, type GitHttpStandIn } from '../../support/git-http-stand-in';
import { writeTesseraCommand } from '../../support/tessera-command';
import { createTestCa, type TestCa } from '../../support/test-certs';
import { createTokenSource, ISSUER_ACCOUNTS, startTokenIssuer, type TokenIssuer } from '../../support/token-issuer';

const run = promisify(execFile);
const ALICE = ISSUER_ACCOUNTS[0]!;
const BOB = ISSUER_ACCOUNTS[1]!;

const options = (overrides: Partial<GitCredentialOptions> = {}): GitCredentialOptions => ({ urls: [], scopes: [], bearer: false, ...overrides });

describe('git credential protocol', () => {
  it('reads key=value lines up to a blank line; key[] collects, an empty key[] clears, a later value replaces', () => {
    const input = parseCredentialInput('protocol=https\nhost=git.example\ncapability[]=authtype\ncapability[]=state\nwwwauth[]=Basic\nwwwauth[]=\nwwwauth[]=Bearer\nhost=example.org:8443\n\nignored=after-blank\n');
    expect(Object.fromEntries(input.values)).toEqual({ protocol: 'https', host: 'example.org:8443' });
    expect(Object.fromEntries(input.lists)).toEqual({ capability: ['authtype', 'state'], wwwauth: ['Bearer'] });
  });

  it('splits url= into its parts without overriding the parts git gave', () => {
    const input = parseCredentialInput('url=https://alice%40contoso.com@dev.azure.com/contoso/_git/app\nprotocol=https\n');
    expect(Object.fromEntries(input.values)).toMatchObject({ protocol: 'https', host: 'dev.azure.com', path: 'contoso/_git/app', username: 'alice@contoso.com' });
  });

  it('enforces the protocol limits: a line over 65535 bytes, a NUL, a line without =', () => {
    expect(() => parseCredentialInput(`path=${'a'.repeat(65_535)}\n`)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(parseCredentialInput(`path=${'a'.repeat(65_530)}\n`).values.get('path')).toHaveLength(65_530);
    expect(() => parseCredentialInput('host=a\0b\n')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => parseCredentialInput('just-a-line\n')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => parseCredentialInput('=value\n')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => formatCredentialOutput([['password', 'two\nlines']])).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('reads the helper line; git appends the action, unknown actions are ignored', () => {
    expect(parseGitCredentialArgs(['--account', 'a@b.c', '--url', 'https://dev.azure.com/contoso', '--bearer', 'get'])).toEqual({
      action: 'get',
      options: { urls: ['https://dev.azure.com/contoso'], account: 'a@b.c', scopes: [], bearer: true },
    });
    expect(parseGitCredentialArgs(['--resource', AZURE_DEVOPS_RESOURCE, 'capability']).action).toBe('unknown');
    expect(() => parseGitCredentialArgs(['--url', 'http://plain.example', 'get'])).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(() => parseGitCredentialArgs(['get', 'store'])).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('get answers username, the token as password, and password_expiry_utc', async () => {
    const source = createTokenSource();
    const answer = await answerGitCredential('get', parseCredentialInput('protocol=https\nhost=git.example\n'), options({ account: BOB.username, scopes: ['api://git/.default'] }), source.getToken);
    const issued = source.issued[0]!;
    expect(answer.output).toBe(`username=${BOB.username}\npassword=${issued.accessToken}\npassword_expiry_utc=${issued.expiresOn}\n`);
    expect(source.requests).toEqual([{ integration: 'git', account: BOB.username, scopes: ['api://git/.default'] }]);
  });

  it('keeps the username git already has (from the remote URL)', async () => {
    const source = createTokenSource();
    const answer = await answerGitCredential('get', parseCredentialInput('protocol=https\nhost=git.example\nusername=build-bot\n'), options(), source.getToken);
    expect(answer.output.split('\n')[0]).toBe('username=build-bot');
  });

  it('with --bearer and capability[]=authtype offered (git ≥ 2.46) answers authtype=Bearer, credential and ephemeral=true', async () => {
    const source = createTokenSource();
    const input = parseCredentialInput('capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=git.example\nwwwauth[]=Bearer realm="git"\n');
    const answer = await answerGitCredential('get', input, options({ bearer: true }), source.getToken);
    const issued = source.issued[0]!;
    expect(answer.output).toBe(`capability[]=authtype\nauthtype=Bearer\ncredential=${issued.accessToken}\nephemeral=true\npassword_expiry_utc=${issued.expiresOn}\n`);
    // Without the capability (git 2.39 here) the same helper line still answers Basic.
    const basic = await answerGitCredential('get', parseCredentialInput('protocol=https\nhost=git.example\n'), options({ bearer: true }), source.getToken);
    expect(basic.output).toMatch(/^username=alice@contoso\.com\npassword=tk_/);
    // And a host not marked --bearer never gets Bearer, even when git offers it.
    const notMarked = await answerGitCredential('get', input, options(), source.getToken);
    expect(notMarked.output).toMatch(/^username=/);
  });

  it('asks for Azure DevOps’ resource by default on dev.azure.com and *.visualstudio.com', async () => {
    const source = createTokenSource();
    await answerGitCredential('get', parseCredentialInput('protocol=https\nhost=dev.azure.com\npath=contoso/app/_git/app\n'), options(), source.getToken);
    await answerGitCredential('get', parseCredentialInput('protocol=https\nhost=contoso.visualstudio.com\n'), options(), source.getToken);
    expect(source.requests.map((request) => request.scopes)).toEqual([[`${AZURE_DEVOPS_RESOURCE}/.default`], [`${AZURE_DEVOPS_RESOURCE}/.default`]]);
  });

  it('no answer (git asks the next helper): another URL, plain http, store, erase, an unknown action, a refusal', async () => {
    const source = createTokenSource();
    const contoso = options({ urls: ['https://dev.azure.com/contoso'] });
    const ask = (text: string, action: 'get' | 'store' | 'erase' | 'unknown' = 'get', with_ = contoso) => answerGitCredential(action, parseCredentialInput(text), with_, source.getToken);
    expect(await ask('protocol=https\nhost=dev.azure.com\npath=fabrikam/app/_git/app\n')).toEqual({ output: '', notes: [] });
    expect(await ask('protocol=https\nhost=github.com\npath=contoso/app\n')).toEqual({ output: '', notes: [] });
    expect(await ask('protocol=http\nhost=git.example\n', 'get', options())).toEqual({ output: '', notes: ['tessera: not answering for http://git.example: a token is only sent over https.'] });
    expect((await ask('protocol=https\nhost=dev.azure.com\n')).notes[0]).toContain('useHttpPath true');
    expect(await ask('protocol=https\nhost=dev.azure.com\npath=contoso/x\nusername=u\npassword=p\n', 'store')).toEqual({ output: '', notes: [] });
    expect(await ask('protocol=https\nhost=dev.azure.com\npath=contoso/x\n', 'erase')).toEqual({ output: '', notes: [] });
    expect(await ask('protocol=https\nhost=dev.azure.com\npath=contoso/x\n', 'unknown')).toEqual({ output: '', notes: [] });
    expect(source.requests).toEqual([]);
    source.refuseWith = 'consent_denied';
    expect(await ask('protocol=https\nhost=dev.azure.com\npath=contoso/x\n')).toEqual({ output: '', notes: ['tessera: no token for https://dev.azure.com: The request was refused in Tessera.'] });
  });
});

describe('the real git clones and pushes over smart HTTP with tessera as its credential helper', () => {
  let dir: string;
  let ca: TestCa;
  let issuer: TokenIssuer;
  let server: GitHttpStandIn;
  let tessera: string;
  let fallback: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-git-'));
    ca = await createTestCa();
    issuer = await startTokenIssuer();
    const root = join(dir, 'served');
    const seed = join(dir, 'seed');
    await git(['init', '-q', '-b', 'main', seed], dir);
    await writeFile(join(seed, 'README'), 'hello\n');
    await git(['add', 'README'], seed);
    await git(['commit', '-q', '-m', 'first'], seed);
    for (const repo of ['contoso/app.git', 'fabrikam/lib.git', 'unknown/other.git']) {
      await mkdir(join(root, repo, '..'), { recursive: true });
      await git(['clone', '-q', '--bare', seed, join(root, repo)], dir);
    }
    server = await startGitHttpStandIn({ ca, projectRoot: root, owners: { contoso: ALICE.username, fabrikam: BOB.username, unknown: 'nobody@example.org' }, accountOf: (token) => {
        const issued = issuer.lookup(token);
        return issued !== undefined && issued.expiresOn > Date.now() / 1000 ? issued.account.username : undefined;
      },
    });
    tessera = await writeTesseraCommand(dir, issuer.url);
    // The next helper in line: records that git asked it, answers nothing.
    fallback = join(dir, 'fallback-helper');
    await writeFile(fallback, `#!/bin/sh\necho "asked $1" >> '${join(dir, 'fallback.log')}'\ncat > /dev/null\n`);
    await chmod(fallback, 0o755);
    await writeFile(join(dir, 'ca.pem'), ca.caCertPem);
  });

  afterAll(async () => {
    await server?.close();
    await issuer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function gitEnv(globalConfig: string): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: globalConfig,
      GIT_SSL_CAINFO: join(dir, 'ca.pem'),
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.org',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.org',
    };
  }

  async function git(args: readonly string[], cwd: string, withEnv: NodeJS.ProcessEnv = env ?? gitEnv('/dev/null')): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const result = await run('git', args, { cwd, env: withEnv });
      return { code: 0, stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  async function useConfig(name: string, text: string): Promise<void> {
    const path = join(dir, `${name}.gitconfig`);
    await writeFile(path, text);
    env = gitEnv(path);
    resetCounts();
    await rm(join(dir, 'fallback.log'), { force: true });
  }

  /** How often git asked the fallback helper for a credential (it also tells every helper to `store`). */
  const fallbackGets = async (): Promise<number> => {
    const log = await readFile(join(dir, 'fallback.log'), 'utf8').catch(() => '');
    return log.split('\n').filter((line) => line === 'asked get').length;
  };

  function resetCounts(): void {
    issuer.requests.length = 0;
    server.requests.length = 0;
  }

  it('per-organisation credential contexts pick the account per path: clone both, push to one', async () => {
    await useConfig(
      'contexts',
      [
        `[credential "${server.origin}/contoso"]`,
        `\thelper = "!${tessera} git-credential --account ${ALICE.username}"`,
        `[credential "${server.origin}/fabrikam"]`,
        `\thelper = "!${tessera} git-credential --account ${BOB.username}"`,
        // git asks helpers in config order: this one comes after ours.
        '[credential]',
        `\thelper = ${fallback}`,
        '',
      ].join('\n'),
    );
    const app = join(dir, 'contexts-app');
    const cloned = await git(['clone', '-q', `${server.origin}/contoso/app.git`, app], dir);
    expect(cloned.stderr).toBe('');
    expect(cloned.code).toBe(0);
    expect(await readFile(join(app, 'README'), 'utf8')).toBe('hello\n');
    expect((await git(['clone', '-q', `${server.origin}/fabrikam/lib.git`, join(dir, 'contexts-lib')], dir)).code).toBe(0);

    await writeFile(join(app, 'CHANGE'), 'pushed through tessera\n');
    await git(['add', 'CHANGE'], app);
    await git(['commit', '-q', '-m', 'change'], app);
    const pushed = await git(['push', '-q', 'origin', 'main'], app);
    expect(pushed.code).toBe(0);
    const head = (await git(['rev-parse', 'HEAD'], app)).stdout.trim();
    expect((await git(['--git-dir', join(dir, 'served', 'contoso', 'app.git'), 'rev-parse', 'main'], dir)).stdout.trim()).toBe(head);

    expect(issuer.requests.map((request) => [request.integration, request.account])).toEqual([
      ['git', ALICE.username],
      ['git', BOB.username],
      ['git', ALICE.username],
    ]);
    const served = server.requests.filter((request) => request.status === 200);
    expect(new Set(served.filter((request) => request.path.startsWith('/contoso/')).map((request) => request.account))).toEqual(new Set([ALICE.username]));
    expect(new Set(served.filter((request) => request.path.startsWith('/fabrikam/')).map((request) => request.account))).toEqual(new Set([BOB.username]));
    expect(served.some((request) => request.method === 'POST' && request.path === '/contoso/app.git/git-receive-pack')).toBe(true);
    // Our helpers answered; git never needed the next one.
    expect(await fallbackGets()).toBe(0);
  });

  it('a URL with no account falls through: git asks the next helper, then gives up without a prompt', async () => {
    resetCounts();
    const before = await fallbackGets();
    const result = await git(['clone', '-q', `${server.origin}/unknown/other.git`, join(dir, 'contexts-unknown')], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('terminal prompts disabled');
    expect((await fallbackGets()) - before).toBe(1);
    expect(issuer.requests).toEqual([]);
  });

  it('one [credential] section with --url prefixes and useHttpPath: each line answers for its organisation only', async () => {
    await useConfig(
      'url-prefixes',
      [
        '[credential]',
        `\thelper = "!${tessera} git-credential --url ${server.origin}/contoso --account ${ALICE.username}"`,
        `\thelper = "!${tessera} git-credential --url ${server.origin}/fabrikam --account ${BOB.username}"`,
        `\thelper = ${fallback}`,
        `[credential "${server.origin}"]`,
        '\tuseHttpPath = true',
        '',
      ].join('\n'),
    );
    expect((await git(['clone', '-q', `${server.origin}/fabrikam/lib.git`, join(dir, 'prefix-lib')], dir)).code).toBe(0);
    expect(issuer.requests.map((request) => request.account)).toEqual([BOB.username]);
    expect(await fallbackGets()).toBe(0);

    resetCounts();
    const unknown = await git(['clone', '-q', `${server.origin}/unknown/other.git`, join(dir, 'prefix-unknown')], dir);
    expect(unknown.code).not.toBe(0);
    expect(await fallbackGets()).toBe(1);
    expect(issuer.requests).toEqual([]);
  });

  it('a path-scoped --url without useHttpPath says how to fix it (git shows the helper’s note) and answers nothing', async () => {
    await useConfig('no-http-path', ['[credential]', `\thelper = "!${tessera} git-credential --url ${server.origin}/contoso --account ${ALICE.username}"`, ''].join('\n'));
    const result = await git(['clone', '-q', `${server.origin}/contoso/app.git`, join(dir, 'no-path-app')], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`tessera: git did not send the path for https://127.0.0.1:${new URL(server.origin).port}; run \`git config --global credential.https://127.0.0.1:${new URL(server.origin).port}.useHttpPath true\``);
    expect(issuer.requests).toEqual([]);
  });

  it('git never sees a token in its output, and the helper stores nothing on disk', async () => {
    await useConfig('plain', ['[credential]', `\thelper = "!${tessera} git-credential --account ${ALICE.username}"`, ''].join('\n'));
    const target = join(dir, 'plain-app');
    const result = await git(['clone', `${server.origin}/contoso/app.git`, target], dir);
    expect(result.code).toBe(0);
    const token = issuer.issued.at(-1)!.accessToken;
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);
    // Only the remote URL is in the clone's config: no credentials were written anywhere git looks.
    expect(await readFile(join(target, '.git', 'config'), 'utf8')).not.toContain(token);
    expect(await readFile(join(dir, 'plain.gitconfig'), 'utf8')).not.toContain(token);
  });
});
