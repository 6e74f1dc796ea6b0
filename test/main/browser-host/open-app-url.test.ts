import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppUrl, planBrowserOpen } from '../../../main/browser-host/open-app-url';
import { startupBanner, usage } from '../../../main/browser-host/startup-banner';

const URL_ = 'http://127.0.0.1:4000/#k=secret';

describe('planBrowserOpen', () => {
  it('follows BROWSER: a list of commands, %s replaced or the URL appended, none to turn it off', () => {
    expect(planBrowserOpen(URL_, { BROWSER: 'firefox --new-tab:chromium %s --incognito' }, 'linux')).toEqual({
      kind: 'try',
      commands: [
        { command: 'firefox', args: ['--new-tab', URL_] },
        { command: 'chromium', args: [URL_, '--incognito'] },
      ],
    });
    expect(planBrowserOpen(URL_, { BROWSER: 'none', DISPLAY: ':0' }, 'linux')).toEqual({ kind: 'skip', reason: 'BROWSER=none' });
    expect(planBrowserOpen(URL_, { BROWSER: 'C:\\b\\chrome.exe;msedge' }, 'win32')).toMatchObject({ commands: [{ command: 'C:\\b\\chrome.exe' }, { command: 'msedge' }] });
  });

  it('uses the platform opener, but not on a Linux box without a display', () => {
    expect(planBrowserOpen(URL_, { DISPLAY: ':0' }, 'linux')).toEqual({ kind: 'try', commands: [{ command: 'xdg-open', args: [URL_] }] });
    expect(planBrowserOpen(URL_, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toMatchObject({ kind: 'try' });
    expect(planBrowserOpen(URL_, {}, 'linux')).toEqual({ kind: 'skip', reason: 'no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)' });
    expect(planBrowserOpen(URL_, {}, 'darwin')).toEqual({ kind: 'try', commands: [{ command: 'open', args: [URL_] }] });
  });
});

describe('openAppUrl', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-open-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the first command that works: a missing one and one that fails are skipped', async () => {
    const record = join(dir, 'url.txt');
    const browser = join(dir, 'browser.sh');
    await writeFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${record}'\n`);
    await chmod(browser, 0o755);
    const outcome = await openAppUrl(URL_, { env: { BROWSER: `${join(dir, 'no-such-browser')}:false:${browser}` }, platform: 'linux', settleMs: 2_000 });
    expect(outcome).toEqual({ opened: true, command: browser });
    expect(await readFile(record, 'utf8')).toBe(URL_);
  });

  it('says why nothing opened', async () => {
    expect(await openAppUrl(URL_, { env: { BROWSER: 'false' }, platform: 'linux', settleMs: 2_000 })).toEqual({ opened: false, reason: 'false could not open it' });
    expect(await openAppUrl(URL_, { env: {}, platform: 'linux' })).toEqual({ opened: false, reason: 'no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)' });
  });
});

describe('startupBanner', () => {
  it('tells a newcomer the link, the demo user, where tokens live and how to stop', () => {
    const lines = startupBanner({ url: URL_, port: 4000, opened: { opened: false, reason: 'BROWSER=none' }, demoUser: { username: 'alice@contoso.com', password: 'alice-password' } });
    expect(lines).toEqual([
      `Tessera is running in browser mode: open ${URL_}`,
      '  Open the link above in your browser (BROWSER=none).',
      '  Demo provider: sign in as alice@contoso.com / alice-password (a local test server; no real account).',
      '  Tokens are kept in memory only: accounts sign in again after a restart. To keep them: npm start -- --persist-tokens',
      '  Same port next time: npm start -- --port 4000    All options: npm start -- --help',
      '  Stop with Ctrl+C.',
    ]);
    const persisted = startupBanner({ url: URL_, port: 4000, persisted: { cacheFile: '/d/token-cache.json', keyFile: '/d/token-cache.key' }, command: 'npm run start:browser --' });
    expect(persisted).toContain('  Tokens are saved encrypted in /d/token-cache.json; its key is /d/token-cache.key (readable only by you).');
    expect(persisted.join('\n')).not.toContain('Demo provider');
    expect(persisted).toContain('  Same port next time: npm run start:browser -- --port 4000    All options: npm run start:browser -- --help');
    expect(usage()).toContain('--persist-tokens');
    expect(usage()).toContain('npm start -- [options]');
  });
});
