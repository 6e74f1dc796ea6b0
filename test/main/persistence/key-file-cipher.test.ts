import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PersistenceError } from '../../../main/persistence/errors';
import { KeyFileCipher } from '../../../main/persistence/key-file-cipher';
import { useTempDirs } from '../../support/temp-dirs';

const tempDir = useTempDirs('key');

function keyPath(): string {
  return join(tempDir(), 'keys', 'cache.key');
}

function decryptError(run: () => unknown): PersistenceError {
  try {
    run();
  } catch (error) {
    if (error instanceof PersistenceError) return error;
    throw error;
  }
  throw new Error('expected a PersistenceError');
}

describe('KeyFileCipher', () => {
  it('round-trips text and creates a 32-byte key file with mode 0600 on first use', () => {
    const path = keyPath();
    const cipher = new KeyFileCipher(path);
    expect(cipher.isAvailable()).toBe(true);
    expect(cipher.isStrong()).toBe(true);
    expect(cipher.backend).toBe('aes-gcm-keyfile');
    const sealed = cipher.encrypt('héllo wörld');
    expect(sealed.includes(Buffer.from('wörld'))).toBe(false);
    expect(cipher.decrypt(sealed)).toBe('héllo wörld');
    expect(readFileSync(path).length).toBe(32);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('uses a fresh IV per message and a versioned header', () => {
    const cipher = new KeyFileCipher(keyPath());
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(0, 3).equals(Buffer.from([0x54, 0x4b, 1]))).toBe(true);
  });

  it('a new instance on the same key file decrypts what the old one wrote', () => {
    const path = keyPath();
    const sealed = new KeyFileCipher(path).encrypt('restart');
    expect(new KeyFileCipher(path).decrypt(sealed)).toBe('restart');
  });

  it('a different key file gives a typed undecryptable error', () => {
    const sealed = new KeyFileCipher(keyPath()).encrypt('secret');
    const error = decryptError(() => new KeyFileCipher(keyPath()).decrypt(sealed));
    expect(error.code).toBe('undecryptable');
    expect(error.message).not.toContain('secret');
  });

  it('tampered bytes, a truncated message and an unknown version are undecryptable', () => {
    const cipher = new KeyFileCipher(keyPath());
    const sealed = cipher.encrypt('payload');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(decryptError(() => cipher.decrypt(flipped)).code).toBe('undecryptable');
    expect(decryptError(() => cipher.decrypt(sealed.subarray(0, 10))).code).toBe('undecryptable');
    const future = Buffer.from(sealed);
    future[2] = 2;
    expect(decryptError(() => cipher.decrypt(future)).code).toBe('undecryptable');
  });

  it('a damaged key file is reported, not replaced', () => {
    const path = keyPath();
    new KeyFileCipher(path).encrypt('x');
    writeFileSync(path, 'short');
    const cipher = new KeyFileCipher(path);
    expect(cipher.isAvailable()).toBe(false);
    expect(decryptError(() => cipher.encrypt('x')).code).toBe('invalid_key_file');
    expect(readFileSync(path, 'utf8')).toBe('short');
  });
});
