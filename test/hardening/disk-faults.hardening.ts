/**
 * Disk faults: full and read-only disks, corrupt and undecryptable files, an unwritable backup
 * folder, and "Allow weak encryption" with a weak or missing keyring (writers killed with SIGKILL:
 * `killed-writers.hardening.ts`).
 * Every case counts what was written (and acknowledged) before the fault and what is there after.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { startBrowserMode, type BrowserMode } from '../../main/browser-host/browser-mode';
import { RecordingClipboard } from '../../main/clipboard/clipboard';
import type { Cipher } from '../../main/persistence/cipher';
import { EncryptedCacheStore, TOKEN_CACHE_KEY } from '../../main/persistence/encrypted-cache-store';
import { KeyFileCipher } from '../../main/persistence/key-file-cipher';
import { ConfStore } from '../../main/persistence/settings-store';
import { createAppCore, type AppCore } from '../../main/services/app-core';
import { makeReadOnly, mountSmallDisk, type SmallDisk } from '../support/fault-disks';
import { requires, tmpfs } from '../support/requires';
import { useTempDirs } from '../support/temp-dirs';
import { BasicTextCipher, UnavailableCipher } from '../support/weak-ciphers';
import { hardeningCase, typedCodeOf, type CaseRecorder } from './harness';

const tempDir = useTempDirs('hardening-disk');

/** A cache the auth core parses (MSAL's JSON shape), with a recognisable secret. */
const SAVED_CACHE = JSON.stringify({ AccessToken: {}, RefreshToken: { 'rt-1': { secret: 'canary-refresh-token-7f3a' } }, IdToken: {}, Account: {}, AppMetadata: {} });

/** A browser-mode host on `dataDir` with persisted tokens, as a user would start it. */
function startHost(dataDir: string): Promise<BrowserMode> {
  return startBrowserMode({
    version: '0.0.0-hardening',
    staticDir: tempDir(),
    dataDir,
    persistTokens: true,
    clipboard: new RecordingClipboard(),
    openExternal: () => undefined,
  });
}

/**
 * Starts a host on `dir`, runs `body` with it, closes it. A throw of the start is a crash of
 * start-up (the app must start on a bad disk).
 */
async function withHost(t: CaseRecorder, dir: string, body: (mode: BrowserMode) => Promise<void>): Promise<void> {
  let mode: BrowserMode;
  try {
    mode = await startHost(dir);
  } catch (error) {
    t.crashed();
    throw error;
  }
  try {
    await body(mode);
  } finally {
    await mode.close();
  }
}

/** Runs `body` on a fresh small tmpfs disk of `sizeKb`, unmounted afterwards. */
async function onSmallDisk(sizeKb: number, body: (disk: SmallDisk) => Promise<void>): Promise<void> {
  const disk = mountSmallDisk(sizeKb);
  try {
    await body(disk);
  } finally {
    disk.dispose();
  }
}

/** Counts a write the app must refuse with one of `codes`, and returns the code. */
async function refusedWrite(t: CaseRecorder, write: () => Promise<unknown>, codes: readonly string[]): Promise<string | undefined> {
  return t.mustRefuse(write, codes);
}

function sameBytes(t: CaseRecorder, path: string, before: string): void {
  let after: string | undefined;
  try {
    after = readFileSync(path, 'utf8');
  } catch {
    after = undefined;
  }
  if (after !== before) t.lost();
  expect(after).toBe(before);
}

describe('corrupt and undecryptable files', () => {
  hardeningCase('disk faults', 'corrupt settings: the app starts, moves the file aside byte for byte, says so', async (t) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{"profiles": [ {"name": "half');
    t.tried();
    await withHost(t, dir, async (mode) => {
      const status = await mode.core.getStorageStatus();
      expect(status.quarantinedFile).toMatch(/settings\.json\.corrupt-/);
      sameBytes(t, status.quarantinedFile!, '{"profiles": [ {"name": "half');
    });
  });

  hardeningCase('disk faults', 'undecryptable cache (another key): the app starts, backs it up, never overwrites it unread', async (t) => {
    const dir = tempDir();
    await seedStrongCache(dir);
    writeFileSync(join(dir, 'token-cache.key'), Buffer.alloc(32, 7));
    const before = readFileSync(join(dir, 'token-cache.json'), 'utf8');
    t.tried();
    await withHost(t, dir, async (mode) => {
      const status = await mode.core.getStorageStatus();
      expect(status.undecryptableBackup).toBeDefined();
      sameBytes(t, join(dir, 'token-cache.json'), before);
      const backup = JSON.parse(readFileSync(status.undecryptableBackup!, 'utf8')) as unknown;
      expect(backup).toEqual((JSON.parse(before) as Record<string, unknown>)[TOKEN_CACHE_KEY]);
    });
    sameBytes(t, join(dir, 'token-cache.json'), before);
  });

  hardeningCase('disk faults', 'cache that decrypts but does not parse: backed up, not overwritten at the next save', async (t) => {
    const dir = tempDir();
    seedCacheText(dir, '{"RefreshToken": [1, 2');
    const before = readFileSync(join(dir, 'token-cache.json'), 'utf8');
    t.tried();
    await withHost(t, dir, async (mode) => {
      const status = await mode.core.getStorageStatus();
      expect(status.undecryptableBackup).toBeDefined();
      const copy = JSON.parse(readFileSync(status.undecryptableBackup!, 'utf8')) as { ciphertext: string };
      expect(new KeyFileCipher(join(dir, 'token-cache.key')).decrypt(Buffer.from(copy.ciphertext, 'base64'))).toBe('{"RefreshToken": [1, 2');
    });
    sameBytes(t, join(dir, 'token-cache.json'), before);
  });

  hardeningCase('disk faults', 'unwritable backup folder during an undecryptable load: the app starts, says why, keeps the data', async (t) => {
    const dir = tempDir();
    await seedStrongCache(dir);
    writeFileSync(join(dir, 'token-cache.key'), Buffer.alloc(32, 9));
    writeFileSync(join(dir, 'backups'), 'a file where the backup folder belongs');
    const before = readFileSync(join(dir, 'token-cache.json'), 'utf8');
    t.tried();
    await withHost(t, dir, async (mode) => {
      const status = await mode.core.getStorageStatus();
      expect(status.reason).toMatch(/No copy of the old data could be made/);
      expect(status.undecryptableBackup).toBeUndefined();
      t.refusedWith('backup_failed');
    });
    sameBytes(t, join(dir, 'token-cache.json'), before);
  });
});

describe('read-only and full disks', () => {
  hardeningCase('disk faults', 'corrupt settings on a read-only disk: the app starts with defaults, says why, refuses changes, the file is untouched', async (t) => {
    const dir = tempDir();
    const data = join(dir, 'data');
    // The folder (and its lock) exist from an earlier run; then the disk goes read-only.
    new ConfStore(join(data, 'settings.json')).set('x', 1);
    writeFileSync(join(data, 'settings.json'), '{"settings": {"theme": "da');
    const restore = makeReadOnly(data);
    try {
      t.tried();
      await withHost(t, data, async (mode) => {
        const status = await mode.core.getStorageStatus();
        expect(status.reason).toMatch(/damaged and could not be moved aside/);
        const code = await refusedWrite(t, () => mode.core.updateSettings({ clipboardClearSeconds: 45 }), ['unreadable_file']);
        expect(code).toBe('unreadable_file');
      });
    } finally {
      restore();
    }
    sameBytes(t, join(data, 'settings.json'), '{"settings": {"theme": "da');
  });

  requires(tmpfs()).describe('on a real small disk (tmpfs)', () => {
    hardeningCase('disk faults', 'full disk at first start: the app starts, says the disk is full (not "no keyring"), refuses writes with disk_full', async (t) => {
      await onSmallDisk(64, async (disk) => {
        disk.fill();
        t.tried();
        await withHost(t, join(disk.dir, 'tessera'), async (mode) => {
          const status = await mode.core.getStorageStatus();
          expect(status.mode).toBe('memory-only');
          expect(status.reason).toMatch(/full/);
          expect(status.reason).not.toMatch(/no system keyring/);
          const code = await refusedWrite(t, () => mode.core.updateSettings({ clipboardClearSeconds: 45 }), ['disk_full']);
          expect(code).toBe('disk_full');
        });
      });
    });

    hardeningCase('disk faults', 'disk full after start: writes refused with disk_full, everything saved before is intact', async (t) => {
      await onSmallDisk(256, async (disk) => {
        const dir = join(disk.dir, 'tessera');
        await withHost(t, dir, async (mode) => {
          await mode.core.updateSettings({ clipboardClearSeconds: 30 });
          const settingsBefore = readFileSync(join(dir, 'settings.json'), 'utf8');
          disk.fill();
          t.tried();
          const code = await refusedWrite(t, () => mode.core.updateSettings({ clipboardClearSeconds: 45 }), ['disk_full']);
          expect(code).toBe('disk_full');
          expect((await mode.core.getSettings()).clipboardClearSeconds).toBe(30);
          sameBytes(t, join(dir, 'settings.json'), settingsBefore);
          disk.free();
          await mode.core.updateSettings({ clipboardClearSeconds: 45 });
        });
      });
    });

    hardeningCase('disk faults', 'read-only disk at start: the app starts and says the disk is read-only', async (t) => {
      await onSmallDisk(64, async (disk) => {
        disk.setReadOnly(true);
        t.tried();
        await withHost(t, join(disk.dir, 'tessera'), async (mode) => {
          const status = await mode.core.getStorageStatus();
          expect(status.reason).toMatch(/read-only/);
          const code = await refusedWrite(t, () => mode.core.updateSettings({ clipboardClearSeconds: 45 }), ['read_only']);
          expect(code).toBe('read_only');
        });
      });
    });
  });
});

describe('"Allow weak encryption" with a weak or missing keyring', () => {
  /** A core over `dir` with `cipher`, as the desktop app builds it. */
  function core(dir: string, cipher: Cipher, allowWeak: boolean): Promise<AppCore> {
    const settingsStore = new ConfStore(join(dir, 'settings.json'));
    settingsStore.set('settings', { ...(settingsStore.get('settings') as object | undefined), allowWeakEncryption: allowWeak });
    return createAppCore({
      mode: 'electron',
      version: '0.0.0-hardening',
      settingsStore,
      cacheStorage: { cipher, store: new ConfStore(join(dir, 'token-cache.json')), backupDir: join(dir, 'backups') },
      clipboard: new RecordingClipboard(),
      brokers: { systemBrowser: () => { throw new Error('no sign-in in this case'); } },
    });
  }

  const scenarios: ReadonlyArray<{ name: string; cipher: () => Cipher; toggles: readonly boolean[]; startAllowed: boolean }> = [
    { name: 'weak keyring (basic_text), consent given', cipher: () => new BasicTextCipher(), startAllowed: false, toggles: [true] },
    { name: 'weak keyring (basic_text), consent given then withdrawn', cipher: () => new BasicTextCipher(), startAllowed: false, toggles: [true, false] },
    { name: 'no keyring, consent given then withdrawn', cipher: () => new UnavailableCipher(), startAllowed: false, toggles: [true, false] },
  ];

  for (const scenario of scenarios) {
    hardeningCase('disk faults', `regression: ${scenario.name} — the strongly encrypted cache is neither overwritten nor deleted`, async (t) => {
      const dir = tempDir();
      await seedStrongCache(dir);
      const before = readFileSync(join(dir, 'token-cache.json'), 'utf8');
      t.tried();
      const weak = await core(dir, scenario.cipher(), scenario.startAllowed);
      try {
        for (const allow of scenario.toggles) {
          try {
            await weak.updateSettings({ allowWeakEncryption: allow });
          } catch (error) {
            if (!typedCodeOf(error)) t.crashed();
            throw error;
          }
        }
        const status = await weak.getStorageStatus();
        expect(status.mode).toBe('memory-only');
        expect(status.reason).toBeTruthy();
      } finally {
        await weak.dispose();
      }
      sameBytes(t, join(dir, 'token-cache.json'), before);
      // With the keyring back, the sign-ins are there.
      const loaded = new EncryptedCacheStore(new ConfStore(join(dir, 'token-cache.json')), new KeyFileCipher(join(dir, 'token-cache.key')), {
        allowWeakEncryption: false,
        backupDir: join(dir, 'backups'),
      }).load();
      expect(loaded).toEqual({ kind: 'loaded', text: SAVED_CACHE });
    });
  }
});

/** Saves {@link SAVED_CACHE} in `dir` with a strong (key-file) cipher. */
async function seedStrongCache(dir: string): Promise<void> {
  seedCacheText(dir, SAVED_CACHE);
}

function seedCacheText(dir: string, text: string): void {
  new EncryptedCacheStore(new ConfStore(join(dir, 'token-cache.json')), new KeyFileCipher(join(dir, 'token-cache.key')), {
    allowWeakEncryption: false,
    backupDir: join(dir, 'backups'),
  }).save(text);
}
