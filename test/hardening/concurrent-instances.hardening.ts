/**
 * Concurrent instances: real browser-mode hosts (`run.ts`, as `npm run start:browser` runs it) on
 * one data folder. Before the data-folder lock, two hosts lost half of 100 acknowledged writes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect } from 'vitest';
import type { ProfileDraft, ProviderProfile, Result } from '../../preload/contract';
import { EXIT_DATA_FOLDER_IN_USE } from '../../main/browser-host/run';
import { claimDataFolder } from '../../main/instance/data-folder-lock';
import { useTempDirs } from '../support/temp-dirs';
import { hardeningCase } from './harness';
import { bundleFixture, startNode, type Child } from './support/processes';

const tempDir = useTempDirs('hardening-instances');
let host = '';
beforeAll(async () => {
  host = await bundleFixture('host', tempDir());
});

const RUNNING = /running in browser mode: open (http:\/\/\S+)/;

/** Every host a case started: none may outlive its case, whatever happened in it. */
const started = new Set<Child>();
afterEach(async () => {
  for (const child of started) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await Promise.all([...started].map((child) => child.exited));
  started.clear();
});

/** Starts a host on `dataDir`; resolves when it either serves (its URL) or stops (its exit). */
async function start(dataDir: string): Promise<{ child: Child; url?: string; exit?: number | null }> {
  const child = startNode(host, ['--data-dir', dataDir, '--no-demo', '--persist-tokens']);
  started.add(child);
  const outcome = await Promise.race([child.waitForLine(RUNNING).then((line) => ({ url: RUNNING.exec(line)?.[1] })), child.exited.then((exit) => ({ exit: exit.code }))]).catch(async () => ({
    exit: (await child.exited).code,
  }));
  return { child, ...outcome };
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
  await child.exited;
}

/** Calls the browser-mode API at `url` (origin + `#k=<secret>`), as the renderer does. */
async function call<T>(url: string, method: string, args: readonly unknown[]): Promise<Result<T>> {
  const parsed = new URL(url);
  const secret = new URLSearchParams(parsed.hash.slice(1)).get('k') ?? '';
  const response = await fetch(`${parsed.origin}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  return (await response.json()) as Result<T>;
}

const draft = (n: number): ProfileDraft => ({
  name: `Write ${n}`,
  kind: 'oidc',
  preset: 'custom-oidc',
  clientId: `client-${n}`,
  authority: 'https://login.example.org/realm',
  defaultScopes: ['api://hardening/read'],
  signInMethod: 'system-browser',
});

async function profileNames(url: string): Promise<Set<string>> {
  const listed = await call<ProviderProfile[]>(url, 'listProfiles', []);
  if (!listed.ok) throw new Error(`listProfiles failed: ${listed.error.code}`);
  return new Set(listed.value.map((profile) => profile.name));
}

describe('browser-mode hosts on one data folder', () => {
  hardeningCase(
    'concurrent instances',
    'a second host hands over (prints the first one\'s URL, exits, writes nothing); 100 writes through both starts\' URLs: 0 lost',
    async (t) => {
      const dir = join(tempDir(), 'data');
      const first = await start(dir);
      expect(first.url).toBeDefined();
      try {
        t.tried();
        const second = await start(dir);
        expect(second.exit).toBe(EXIT_DATA_FOLDER_IN_USE);
        if (second.exit === EXIT_DATA_FOLDER_IN_USE) t.refusedWith('data_folder_in_use');
        else if (second.url) await stop(second.child);
        const message = second.child.lines.join('\n');
        expect(message).toContain('already running');
        expect(message).toContain(first.url);
        // Each start's URL: the user follows whichever window they have.
        const urls = [first.url!, /(http:\/\/\S+#k=[\w-]+)/.exec(message)?.[1] ?? ''];
        expect(urls[1]).toBe(first.url);
        let acknowledged = 0;
        for (let n = 0; n < 100; n += 1) {
          t.tried();
          const answer = await call<ProviderProfile>(urls[n % 2]!, 'saveProfile', [draft(n)]);
          if (answer.ok) acknowledged += 1;
        }
        expect(acknowledged).toBe(100);
      } finally {
        await stop(first.child);
      }
      // A later start reads back every acknowledged write.
      const later = await start(dir);
      try {
        const names = await profileNames(later.url!);
        const missing = Array.from({ length: 100 }, (_, n) => `Write ${n}`).filter((name) => !names.has(name));
        t.lost(missing.length);
        expect(missing).toEqual([]);
      } finally {
        await stop(later.child);
      }
    },
    { timeout: 120_000 },
  );

  hardeningCase(
    'concurrent instances',
    'four hosts started at once on a fresh folder: exactly one owner, three hand over',
    async (t) => {
      const dir = join(tempDir(), 'data');
      const starts = await Promise.all(Array.from({ length: 4 }, () => start(dir)));
      try {
        const owners = starts.filter((s) => s.url);
        expect(owners).toHaveLength(1);
        for (const s of starts.filter((s) => !s.url)) {
          t.tried();
          if (s.exit === EXIT_DATA_FOLDER_IN_USE) t.refusedWith('data_folder_in_use');
          else t.crashed();
          expect(s.exit).toBe(EXIT_DATA_FOLDER_IN_USE);
        }
      } finally {
        await Promise.all(starts.map((s) => stop(s.child)));
      }
    },
    { timeout: 120_000 },
  );

  hardeningCase(
    'concurrent instances',
    'kill -9 the owner: the next start recovers the lock and has every acknowledged write',
    async (t) => {
      const dir = join(tempDir(), 'data');
      const owner = await start(dir);
      let acknowledged = 0;
      try {
        for (let n = 0; n < 20; n += 1) if ((await call(owner.url!, 'saveProfile', [draft(n)])).ok) acknowledged += 1;
        expect(acknowledged).toBe(20);
      } finally {
        owner.child.process.kill('SIGKILL');
        await owner.child.exited;
      }
      t.tried();
      const next = await start(dir);
      try {
        if (!next.url) t.crashed();
        expect(next.url).toBeDefined();
        expect(next.child.lines.join('\n')).toContain(`recovered the data-folder lock of a crashed instance (process ${owner.child.pid})`);
        const names = await profileNames(next.url!);
        const missing = Array.from({ length: 20 }, (_, n) => `Write ${n}`).filter((name) => !names.has(name));
        t.lost(missing.length);
        expect(missing).toEqual([]);
      } finally {
        await stop(next.child);
      }
    },
    { timeout: 120_000 },
  );

  hardeningCase('concurrent instances', 'a browser-mode host on the desktop app\'s data folder stops and points to the app\'s window, writing nothing', async (t) => {
    const dir = join(tempDir(), 'user-data');
    // This test process plays the desktop app: it took the folder as main/index.ts does.
    const desktop = claimDataFolder(dir, { app: 'electron' });
    if (desktop.kind !== 'acquired') throw new Error('expected to own the folder');
    try {
      const before = readdirSync(dir).sort();
      t.tried();
      const host = await start(dir);
      if (host.exit === EXIT_DATA_FOLDER_IN_USE) t.refusedWith('data_folder_in_use');
      else await stop(host.child);
      expect(host.exit).toBe(EXIT_DATA_FOLDER_IN_USE);
      expect(host.child.lines.join('\n')).toMatch(/the Tessera desktop app \(process \d+\).*Use its window/);
      expect(readdirSync(dir).sort()).toEqual(before);
    } finally {
      desktop.lock.release();
    }
  });
});
