import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cipher } from '../../../main/persistence/cipher';
import { EncryptedCacheStore, TOKEN_CACHE_KEY } from '../../../main/persistence/encrypted-cache-store';
import { PersistenceError } from '../../../main/persistence/errors';
import { KeyFileCipher } from '../../../main/persistence/key-file-cipher';
import { ConfStore } from '../../../main/persistence/settings-store';
import { makeReadOnly, mountSmallDisk } from '../../support/fault-disks';
import { requires, tmpfs } from '../../support/requires';
import { useTempDirs } from '../../support/temp-dirs';
import { BasicTextCipher, UnavailableCipher } from '../../support/weak-ciphers';

const CACHE = JSON.stringify({ RefreshToken: { k: { secret: 'rt-very-secret-value' } } });
const tempDir = useTempDirs('cache');
const parseJson = (text: string): void => void JSON.parse(text);

function setup(dir = tempDir()) {
  const paths = { dir, file: join(dir, 'token-cache.json'), key: join(dir, 'cache.key'), backups: join(dir, 'backups') };
  // One key-value store per "process", as the app has: the store remembers what it read and wrote.
  const kv = new ConfStore(paths.file);
  const open = (cipher: Cipher = new KeyFileCipher(paths.key), allowWeakEncryption = false, store = kv) =>
    new EncryptedCacheStore(store, cipher, { allowWeakEncryption, backupDir: paths.backups });
  /** A new process on the same folder. */
  const restart = (cipher?: Cipher, allowWeakEncryption = false) => open(cipher, allowWeakEncryption, new ConfStore(paths.file));
  return { paths, open, restart, kv };
}

function refusal(action: () => unknown): PersistenceError {
  try {
    action();
  } catch (error) {
    if (error instanceof PersistenceError) return error;
    throw error;
  }
  throw new Error('expected a PersistenceError');
}

describe('EncryptedCacheStore', () => {
  it('starts empty, then round-trips the cache without plaintext on disk', () => {
    const { paths, open } = setup();
    const store = open();
    expect(store.mode).toBe('encrypted');
    expect(store.load(parseJson)).toEqual({ kind: 'empty' });
    expect(store.save(CACHE)).toEqual({ kind: 'saved' });
    expect(store.load(parseJson)).toEqual({ kind: 'loaded', text: CACHE });
    const onDisk = readFileSync(paths.file, 'utf8');
    expect(onDisk).not.toContain('rt-very-secret-value');
    const record = (JSON.parse(onDisk) as Record<string, { v: number; backend: string; ciphertext: string }>)[TOKEN_CACHE_KEY];
    expect(record?.v).toBe(1);
    expect(record?.backend).toBe('aes-gcm-keyfile');
    if (process.platform !== 'win32') expect(statSync(paths.file).mode & 0o777).toBe(0o600);
  });

  it('restart: new instances on the same folder get the data back, and save over it without a backup', () => {
    const { paths, open, restart } = setup();
    open().save(CACHE);
    const next = restart();
    expect(next.load(parseJson)).toEqual({ kind: 'loaded', text: CACHE });
    expect(next.save('{"next":1}')).toEqual({ kind: 'saved' });
    expect(existsSync(paths.backups)).toBe(false);
  });

  it('ciphertext from another key is undecryptable: backup kept, original untouched until a save, which keeps the copy', () => {
    const { paths, open, restart } = setup();
    open().save(CACHE);
    const before = readFileSync(paths.file, 'utf8');
    const other = restart(new KeyFileCipher(join(paths.dir, 'other.key')));
    const result = other.load(parseJson);
    expect(result).toMatchObject({ kind: 'undecryptable', problem: 'undecryptable', storedBackend: 'aes-gcm-keyfile' });
    if (result.kind !== 'undecryptable' || !result.backupPath) throw new Error('expected a backup');
    const stored = (JSON.parse(before) as Record<string, unknown>)[TOKEN_CACHE_KEY];
    expect(JSON.parse(readFileSync(result.backupPath, 'utf8'))).toEqual(stored);
    expect(readFileSync(paths.file, 'utf8')).toBe(before);
    // A second start with the same unreadable data reuses the backup instead of adding copies.
    expect(other.load(parseJson)).toEqual(result);
    expect(readdirSync(paths.backups)).toHaveLength(1);
    // The original key still works: nothing was lost.
    expect(restart().load(parseJson)).toEqual({ kind: 'loaded', text: CACHE });
    // A new sign-in replaces it, the copy stays, and the copy still decrypts with the old key.
    other.save('{"new":1}');
    expect(readdirSync(paths.backups)).toHaveLength(1);
    const backup = JSON.parse(readFileSync(result.backupPath, 'utf8')) as { ciphertext: string };
    expect(new KeyFileCipher(paths.key).decrypt(Buffer.from(backup.ciphertext, 'base64'))).toBe(CACHE);
  });

  it('a backend change that cannot decrypt explains itself and keeps a backup', () => {
    const { paths, open, restart } = setup();
    open(new BasicTextCipher(), true).save(CACHE);
    const result = restart().load(parseJson);
    expect(result).toMatchObject({ kind: 'undecryptable', storedBackend: 'basic_text' });
    if (result.kind !== 'undecryptable' || !result.backupPath) throw new Error('expected a backup');
    expect(result.reason).toContain('basic_text');
    expect(result.reason).not.toContain('rt-very-secret-value');
    expect(readFileSync(paths.file, 'utf8')).toContain('basic_text');
  });

  it('a malformed record is unreadable with a backup, not a crash', () => {
    const { paths, restart } = setup();
    const before = JSON.stringify({ [TOKEN_CACHE_KEY]: { v: 9, ciphertext: 'rt-very-secret-value' } });
    writeFileSync(paths.file, before);
    const result = restart().load(parseJson);
    expect(result).toMatchObject({ kind: 'undecryptable', problem: 'unrecognised', storedBackend: 'unknown', reason: expect.stringMatching(/Sign in again/) });
    if (result.kind !== 'undecryptable' || !result.backupPath) throw new Error('expected a backup');
    expect(result.reason).not.toContain('rt-very-secret-value');
    expect(JSON.parse(readFileSync(result.backupPath, 'utf8'))).toEqual({ v: 9, ciphertext: 'rt-very-secret-value' });
    expect(readFileSync(paths.file, 'utf8')).toBe(before);
  });

  it('regression: a cache that decrypts but does not parse is not overwritten at the next save', () => {
    const { paths, open, restart } = setup();
    open().save('{"damaged": ');
    const before = readFileSync(paths.file, 'utf8');
    const next = restart();
    const result = next.load(parseJson);
    expect(result).toMatchObject({ kind: 'undecryptable', problem: 'unparseable' });
    if (result.kind !== 'undecryptable' || !result.backupPath) throw new Error('expected a backup');
    expect(readFileSync(result.backupPath, 'utf8')).toBe(JSON.stringify((JSON.parse(before) as Record<string, unknown>)[TOKEN_CACHE_KEY]));
    // The save goes through only because the copy exists and reads back.
    expect(next.save(CACHE)).toEqual({ kind: 'saved', backupPath: result.backupPath });
    const copy = JSON.parse(readFileSync(result.backupPath, 'utf8')) as { ciphertext: string };
    expect(new KeyFileCipher(paths.key).decrypt(Buffer.from(copy.ciphertext, 'base64'))).toBe('{"damaged": ');
  });

  it('a load without a parser counts as unread: the first save over it makes a backup', () => {
    const { paths, open, restart } = setup();
    open().save(CACHE);
    const next = restart();
    expect(next.load()).toEqual({ kind: 'loaded', text: CACHE });
    const saved = next.save('{"other":1}');
    expect(saved.kind === 'saved' && saved.backupPath && existsSync(saved.backupPath)).toBe(true);
    expect(readFileSync(paths.file, 'utf8')).not.toContain('rt-very-secret-value');
  });

  it('weak encryption without opt-in: memory-only, with a reason, and nothing written', () => {
    const { paths, open } = setup();
    const store = open(new BasicTextCipher(), false);
    expect(store.mode).toBe('memory-only');
    expect(store.save(CACHE)).toEqual({ kind: 'memory-only', reason: expect.stringContaining('--password-store=gnome-libsecret') });
    expect(store.load(parseJson).kind).toBe('memory-only');
    expect(existsSync(paths.file)).toBe(false);
  });

  it('weak encryption with opt-in writes ciphertext, never plaintext', () => {
    const { paths, open, restart } = setup();
    const store = open(new BasicTextCipher(), true);
    expect(store.mode).toBe('encrypted');
    store.save(CACHE);
    expect(readFileSync(paths.file, 'utf8')).not.toContain('rt-very-secret-value');
    expect(restart(new BasicTextCipher(), true).load(parseJson)).toEqual({ kind: 'loaded', text: CACHE });
  });

  describe('regression: "Allow weak encryption" with a weak or missing keyring never overwrites or deletes the strongly encrypted cache', () => {
    it('weak keyring, consent given: the strong record is kept and the store stays memory-only, saying why', () => {
      const { paths, open, restart } = setup();
      open().save(CACHE);
      const before = readFileSync(paths.file, 'utf8');
      const weak = restart(new BasicTextCipher(), true);
      expect(weak.mode).toBe('memory-only');
      expect(weak.memoryOnlyReason).toMatch(/aes-gcm-keyfile.*will not replace/);
      expect(weak.save('{"weak":1}').kind).toBe('memory-only');
      expect(readFileSync(paths.file, 'utf8')).toBe(before);
      expect(restart().load(parseJson)).toEqual({ kind: 'loaded', text: CACHE });
    });

    it('weak keyring, consent withdrawn: the strong record is not deleted', () => {
      const { paths, open, restart } = setup();
      open().save(CACHE);
      const before = readFileSync(paths.file, 'utf8');
      expect(restart(new BasicTextCipher(), false).discardWeakCopy()).toBe(false);
      expect(readFileSync(paths.file, 'utf8')).toBe(before);
    });

    it('no keyring at all, consent given or withdrawn: nothing written, nothing deleted', () => {
      const { paths, open, restart } = setup();
      open().save(CACHE);
      const before = readFileSync(paths.file, 'utf8');
      for (const allow of [true, false]) {
        const store = restart(new UnavailableCipher(), allow);
        expect(store.mode).toBe('memory-only');
        expect(store.save('{"new":"rt-other-secret"}').kind).toBe('memory-only');
        expect(store.discardWeakCopy()).toBe(false);
      }
      expect(readFileSync(paths.file, 'utf8')).toBe(before);
      expect(restart().load(parseJson)).toEqual({ kind: 'loaded', text: CACHE });
    });

    it('a strong cipher that meets an unread strong record elsewhere still refuses a weak overwrite at save time', () => {
      const { paths, open } = setup();
      const weakFirst = open(new BasicTextCipher(), true);
      expect(weakFirst.mode).toBe('encrypted');
      // Another process (or an older version) wrote a strong record meanwhile.
      const other = new EncryptedCacheStore(new ConfStore(paths.file), new KeyFileCipher(paths.key), { allowWeakEncryption: false, backupDir: paths.backups });
      other.save(CACHE);
      const before = readFileSync(paths.file, 'utf8');
      expect(refusal(() => weakFirst.save('{"weak":1}')).code).toBe('strong_data_kept');
      expect(readFileSync(paths.file, 'utf8')).toBe(before);
    });
  });

  it('withdrawn consent removes the weak copy this cipher can read', () => {
    const { paths, open } = setup();
    open(new BasicTextCipher(), true).save(CACHE);
    expect(open(new BasicTextCipher(), false).discardWeakCopy()).toBe(true);
    expect(readFileSync(paths.file, 'utf8')).not.toContain(TOKEN_CACHE_KEY);
  });

  it('an unwritable backup folder during an undecryptable load: reported, and the data is never overwritten', () => {
    const { paths, open, restart } = setup();
    open().save(CACHE);
    const before = readFileSync(paths.file, 'utf8');
    // A file where the backup folder should be: no folder can be made there, whoever runs the test.
    writeFileSync(paths.backups, 'in the way');
    const other = restart(new KeyFileCipher(join(paths.dir, 'other.key')));
    const result = other.load(parseJson);
    expect(result).toMatchObject({ kind: 'undecryptable', backupPath: undefined });
    if (result.kind !== 'undecryptable') throw new Error('unreachable');
    expect(result.backupProblem).toBeInstanceOf(PersistenceError);
    expect(result.reason).toMatch(/not overwritten/);
    const error = refusal(() => other.save('{"new":1}'));
    expect(error.code).toBe('backup_failed');
    expect(readFileSync(paths.file, 'utf8')).toBe(before);
  });

  it('a read-only backup folder: backup_failed, the data stays', () => {
    const { paths, open, restart } = setup();
    open().save('{"damaged": ');
    const before = readFileSync(paths.file, 'utf8');
    const backups = paths.backups;
    // The folder exists but cannot be written.
    new ConfStore(join(backups, 'probe.json')).set('x', 1);
    const restore = makeReadOnly(backups);
    try {
      const next = restart();
      const result = next.load(parseJson);
      expect(result).toMatchObject({ kind: 'undecryptable', problem: 'unparseable', backupPath: undefined });
      if (result.kind !== 'undecryptable') throw new Error('unreachable');
      expect(['read_only', 'permission_denied']).toContain(result.backupProblem?.code);
      expect(refusal(() => next.save(CACHE)).code).toBe('backup_failed');
    } finally {
      restore();
    }
    expect(readFileSync(paths.file, 'utf8')).toBe(before);
  });

  requires(tmpfs()).describe('on a small real disk (tmpfs)', () => {
    it('regression: a full disk at first start is reported as a full disk, not as a missing keyring', () => {
      const disk = mountSmallDisk(64);
      try {
        disk.fill();
        const cipher = new KeyFileCipher(join(disk.dir, 'data', 'token-cache.key'));
        const store = new EncryptedCacheStore(new ConfStore(join(disk.dir, 'data', 'token-cache.json')), cipher, { allowWeakEncryption: false, backupDir: join(disk.dir, 'data', 'backups') });
        expect(store.mode).toBe('memory-only');
        expect(store.memoryOnlyReason).toMatch(/full/);
        expect(store.memoryOnlyReason).not.toMatch(/keyring/);
        expect(cipher.whyUnavailable()?.code).toBe('disk_full');
      } finally {
        disk.dispose();
      }
    });

    it('a full disk at save time: disk_full, and the saved cache is unchanged', () => {
      const disk = mountSmallDisk(128);
      try {
        const { paths, open } = setup(disk.dir);
        const store = open();
        store.save(CACHE);
        const before = readFileSync(paths.file, 'utf8');
        disk.fill();
        expect(refusal(() => store.save(JSON.stringify({ big: 'z'.repeat(32_768) }))).code).toBe('disk_full');
        expect(readFileSync(paths.file, 'utf8')).toBe(before);
        disk.free();
        expect(store.save('{"after":1}')).toEqual({ kind: 'saved' });
      } finally {
        disk.dispose();
      }
    });
  });

  it('a corrupt cache file is quarantined and the cache starts empty', () => {
    const { paths, open } = setup();
    open().save(CACHE);
    writeFileSync(paths.file, '{ not json');
    const store = new ConfStore(paths.file);
    expect(store.quarantined).toMatch(/token-cache\.json\.corrupt-/);
    const cache = new EncryptedCacheStore(store, new KeyFileCipher(paths.key), { allowWeakEncryption: false, backupDir: paths.backups });
    expect(cache.load(parseJson)).toEqual({ kind: 'empty' });
    expect(readFileSync(store.quarantined!, 'utf8')).toBe('{ not json');
  });
});
