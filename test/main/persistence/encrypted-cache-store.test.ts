import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cipher } from '../../../main/persistence/cipher';
import { EncryptedCacheStore, TOKEN_CACHE_KEY } from '../../../main/persistence/encrypted-cache-store';
import { KeyFileCipher } from '../../../main/persistence/key-file-cipher';
import { JsonFileStore } from '../../../main/persistence/settings-store';
import { BasicTextCipher, UnavailableCipher } from '../../support/weak-ciphers';

const CACHE = JSON.stringify({ RefreshToken: { k: { secret: 'rt-very-secret-value' } } });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cache-'));
  const paths = { dir, file: join(dir, 'config.json'), key: join(dir, 'cache.key'), backups: join(dir, 'backups') };
  const open = (cipher: Cipher = new KeyFileCipher(paths.key), allowWeakEncryption = false) =>
    new EncryptedCacheStore(new JsonFileStore(paths.file), cipher, { allowWeakEncryption, backupDir: paths.backups });
  return { paths, open };
}

describe('EncryptedCacheStore', () => {
  it('starts empty, then round-trips the cache without plaintext on disk', () => {
    const { paths, open } = setup();
    const store = open();
    expect(store.mode).toBe('encrypted');
    expect(store.load()).toEqual({ kind: 'empty' });
    expect(store.save(CACHE)).toEqual({ kind: 'saved' });
    expect(store.load()).toEqual({ kind: 'loaded', text: CACHE });
    const onDisk = readFileSync(paths.file, 'utf8');
    expect(onDisk).not.toContain('rt-very-secret-value');
    const record = (JSON.parse(onDisk) as Record<string, { v: number; backend: string; ciphertext: string }>)[TOKEN_CACHE_KEY];
    expect(record?.v).toBe(1);
    expect(record?.backend).toBe('aes-gcm-keyfile');
    if (process.platform !== 'win32') expect(statSync(paths.file).mode & 0o777).toBe(0o600);
  });

  it('restart: new instances on the same directory get the data back', () => {
    const { open } = setup();
    open().save(CACHE);
    expect(open().load()).toEqual({ kind: 'loaded', text: CACHE });
  });

  it('ciphertext from another key is undecryptable: backup kept, original untouched, never wiped', () => {
    const { paths, open } = setup();
    open().save(CACHE);
    const before = readFileSync(paths.file, 'utf8');
    const other = open(new KeyFileCipher(join(paths.dir, 'other.key')));
    const result = other.load();
    expect(result.kind).toBe('undecryptable');
    if (result.kind !== 'undecryptable') return;
    expect(result.storedBackend).toBe('aes-gcm-keyfile');
    expect(existsSync(result.backupPath)).toBe(true);
    const stored = (JSON.parse(before) as Record<string, unknown>)[TOKEN_CACHE_KEY];
    expect(JSON.parse(readFileSync(result.backupPath, 'utf8'))).toEqual(stored);
    expect(readFileSync(paths.file, 'utf8')).toBe(before);
    // A second start with the same unreadable data reuses the backup instead of adding copies.
    expect(other.load()).toEqual(result);
    expect(readdirSync(paths.backups)).toHaveLength(1);
    // The original key still works: nothing was lost.
    expect(open().load()).toEqual({ kind: 'loaded', text: CACHE });
  });

  it('a backend change that cannot decrypt explains itself and keeps a backup', () => {
    const { paths, open } = setup();
    open(new BasicTextCipher(), true).save(CACHE);
    const result = open().load();
    expect(result.kind).toBe('undecryptable');
    if (result.kind !== 'undecryptable') return;
    expect(result.storedBackend).toBe('basic_text');
    expect(result.reason).toContain('basic_text');
    expect(result.reason).not.toContain('rt-very-secret-value');
    expect(existsSync(result.backupPath)).toBe(true);
    expect(readFileSync(paths.file, 'utf8')).toContain('basic_text');
  });

  it('a malformed record is undecryptable with a backup, not a crash', () => {
    const { paths, open } = setup();
    const before = JSON.stringify({ [TOKEN_CACHE_KEY]: { v: 9, ciphertext: 'rt-very-secret-value' } });
    writeFileSync(paths.file, before);
    const result = open().load();
    expect(result).toMatchObject({ kind: 'undecryptable', storedBackend: 'unknown', reason: expect.stringMatching(/Sign in again/) });
    if (result.kind !== 'undecryptable') return;
    expect(result.reason).not.toContain('rt-very-secret-value');
    expect(JSON.parse(readFileSync(result.backupPath, 'utf8'))).toEqual({ v: 9, ciphertext: 'rt-very-secret-value' });
    expect(readFileSync(paths.file, 'utf8')).toBe(before);
  });

  it('weak encryption without opt-in: memory-only, with a reason, and nothing written', () => {
    const { paths, open } = setup();
    const store = open(new BasicTextCipher(), false);
    expect(store.mode).toBe('memory-only');
    expect(store.save(CACHE)).toEqual({ kind: 'memory-only', reason: expect.stringContaining('--password-store=gnome-libsecret') });
    expect(store.load().kind).toBe('memory-only');
    expect(existsSync(paths.file)).toBe(false);
  });

  it('weak encryption with opt-in writes ciphertext, never plaintext', () => {
    const { paths, open } = setup();
    const store = open(new BasicTextCipher(), true);
    expect(store.mode).toBe('encrypted');
    store.save(CACHE);
    expect(readFileSync(paths.file, 'utf8')).not.toContain('rt-very-secret-value');
    expect(open(new BasicTextCipher(), true).load()).toEqual({ kind: 'loaded', text: CACHE });
  });

  it('unavailable encryption is memory-only even with the weak opt-in, and leaves stored data alone', () => {
    const { paths, open } = setup();
    open().save(CACHE);
    const before = readFileSync(paths.file, 'utf8');
    const store = open(new UnavailableCipher(), true);
    expect(store.mode).toBe('memory-only');
    expect(store.save('{"new":"rt-other-secret"}').kind).toBe('memory-only');
    expect(store.load()).toEqual({ kind: 'memory-only', reason: expect.stringMatching(/keyring/) });
    expect(readFileSync(paths.file, 'utf8')).toBe(before);
  });

  it('a corrupt settings file is quarantined and the cache starts empty', () => {
    const { paths, open } = setup();
    open().save(CACHE);
    writeFileSync(paths.file, '{ not json');
    const settings = new JsonFileStore(paths.file);
    expect(settings.quarantined).toMatch(/config\.json\.corrupt-/);
    const store = new EncryptedCacheStore(settings, new KeyFileCipher(paths.key), { allowWeakEncryption: false, backupDir: paths.backups });
    expect(store.load()).toEqual({ kind: 'empty' });
    expect(readFileSync(settings.quarantined!, 'utf8')).toBe('{ not json');
  });
});
