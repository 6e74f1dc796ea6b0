import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLaunchOptions } from '../../main/launch-options';
import { decideElectron, demoEnvironment, recoverNpmSwallowedArgs } from '../../scripts/start';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('npm start', () => {
  it('hands the Electron app a demo provider that main/launch-options reads back whole', () => {
    const env = demoEnvironment({ oidcIssuer: 'https://localhost:40123/oidc', caPath: '/tmp/demo-ca.pem' }, 'tessera-public-web', ['api://tessera-demo/read']);
    const launch = readLaunchOptions(env, { isPackaged: false });
    expect(launch.demo?.caPath).toBe('/tmp/demo-ca.pem');
    expect(launch.demo?.profile).toMatchObject({
      authority: 'https://localhost:40123/oidc',
      clientId: 'tessera-public-web',
      redirectUri: 'https://localhost/redirect',
      defaultScopes: ['api://tessera-demo/read'],
    });
    // A packaged app ignores it: the demo provider exists only in a source checkout.
    expect(readLaunchOptions(env, { isPackaged: true }).demo).toBeUndefined();
  });

  it('recovers the options npm keeps for itself when the "--" is missing', () => {
    const npm = { npm_lifecycle_event: 'start' };
    // npm start --persist-tokens --port 8080 --data-dir /tmp/t --no-open
    expect(recoverNpmSwallowedArgs(['8080', '/tmp/t'], { ...npm, npm_config_persist_tokens: 'true', npm_config_port: 'true', npm_config_data_dir: 'true', npm_config_open: '' })).toEqual({
      args: ['--persist-tokens', '--no-open', '--port', '8080', '--data-dir', '/tmp/t'],
      recovered: ['--persist-tokens', '--no-open', '--port 8080', '--data-dir /tmp/t'],
    });
    // npm start --port=9000 --no-demo --browser
    expect(recoverNpmSwallowedArgs([], { ...npm, npm_config_port: '9000', npm_config_demo: '', npm_config_browser: 'true' }).args).toEqual(['--no-demo', '--browser', '--port', '9000']);
    // Written correctly: nothing to recover, nothing doubled.
    expect(recoverNpmSwallowedArgs(['--persist-tokens'], { ...npm, npm_config_persist_tokens: 'true' })).toEqual({ args: ['--persist-tokens'], recovered: [] });
    // npm's own `browser` setting (a program) and other scripts are left alone.
    expect(recoverNpmSwallowedArgs([], { ...npm, npm_config_browser: 'firefox' }).recovered).toEqual([]);
    expect(recoverNpmSwallowedArgs([], { npm_lifecycle_event: 'test', npm_config_persist_tokens: 'true' }).recovered).toEqual([]);
  });
});

describe('deciding about Electron', () => {
  let dir: string;
  let silent: Server;
  let answering: Server;
  const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-electron-'));
    // A download server that accepts connections and never answers: the hanging network of issue 9.
    silent = createServer(() => undefined);
    answering = createServer((_req, res) => res.writeHead(302, { location: 'https://example.invalid/' }).end());
    await Promise.all([silent, answering].map((server) => new Promise<void>((done) => server.listen(0, '127.0.0.1', done))));
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await Promise.all([silent, answering].map((server) => new Promise<void>((done) => server.close(() => done()))));
    await rm(dir, { recursive: true, force: true });
  });

  async function electronPackage(name: string, files: Record<string, string>): Promise<string> {
    const root = join(dir, name);
    await mkdir(join(root, 'dist'), { recursive: true });
    await writeFile(join(root, 'package.json'), '{"name":"electron"}');
    await writeFile(join(root, 'install.js'), '');
    for (const [path, text] of Object.entries(files)) await writeFile(join(root, path), text);
    return root;
  }

  it('uses a binary that is already there, without loading the package', async () => {
    const electronDir = await electronPackage('ready', { 'path.txt': 'electron', 'dist/electron': '' });
    expect(await decideElectron({ electronDir, env: {} })).toEqual({ kind: 'ready', path: join(electronDir, 'dist', 'electron') });
    const override = await mkdtemp(join(dir, 'override-'));
    await writeFile(join(override, 'electron'), '');
    expect(await decideElectron({ electronDir, env: { ELECTRON_OVERRIDE_DIST_PATH: override } })).toEqual({ kind: 'ready', path: join(override, 'electron') });
  });

  it('gives up on a download server that does not answer, instead of waiting minutes', async () => {
    const electronDir = await electronPackage('missing', {});
    const decision = await decideElectron({ electronDir, env: { ELECTRON_MIRROR: urlOf(silent) }, probeTimeoutMs: 300 });
    expect(decision).toEqual({ kind: 'unavailable', reason: `its binary is not downloaded and 127.0.0.1:${(silent.address() as AddressInfo).port} did not answer within 0.3 s` });
  });

  it('downloads only when the download server answers', async () => {
    const electronDir = await electronPackage('downloadable', {});
    expect(await decideElectron({ electronDir, env: { ELECTRON_MIRROR: urlOf(answering) }, probeTimeoutMs: 2_000 })).toEqual({
      kind: 'download',
      installScript: join(electronDir, 'install.js'),
      from: urlOf(answering),
    });
    expect(await decideElectron({ electronDir: join(dir, 'nothing-here'), env: {} })).toMatchObject({ kind: 'unavailable', reason: expect.stringContaining('npm install') });
  });

  it('falls back to browser mode, opens the page with BROWSER and prints what a newcomer needs', async () => {
    const work = await mkdtemp(join(dir, 'run-'));
    const opened = join(work, 'opened.txt');
    const browser = join(work, 'browser.sh');
    // A "browser" that records the URL it was given and stays open, as browsers do.
    await writeFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\nsleep 3\n`);
    await chmod(browser, 0o755);
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'start.ts'), '--data-dir', join(work, 'data')], {
      cwd: ROOT,
      env: { ...process.env, ELECTRON_MIRROR: urlOf(silent), BROWSER: browser, npm_lifecycle_event: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await expect.poll(() => output, { timeout: 90_000, interval: 200 }).toContain('Stop with Ctrl+C.');
      const url = /open (http:\/\/127\.0\.0\.1:\d+\/#k=[\w-]+)/.exec(output)?.[1] ?? '';
      expect(output).toContain(`Electron is not available (its binary is not downloaded and 127.0.0.1:${(silent.address() as AddressInfo).port} did not answer within 3 s): starting browser mode instead.`);
      expect(output).toContain('Opened in your browser.');
      expect(output).toContain('Demo provider: sign in as alice@contoso.com / alice-password');
      expect(output).toContain('To keep them: npm start -- --persist-tokens');
      expect(output).toMatch(/Same port next time: npm start -- --port \d+/);
      expect(await readFile(opened, 'utf8')).toBe(url);
      const page = await fetch(url.replace(/#.*$/, ''));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  }, 120_000);
});
