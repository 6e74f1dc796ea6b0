import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonFileStore } from '../../../main/persistence/settings-store';

function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tessera-store-')), 'settings.json');
}

describe('JsonFileStore', () => {
  it('sets, gets and deletes values, and a new instance reads them back', () => {
    const path = storePath();
    const store = new JsonFileStore(path);
    expect(store.quarantined).toBeUndefined();
    store.set('theme', 'dark');
    store.set('profile.ids', ['a', 'b']);
    store.set('gone', 1);
    store.delete('gone');
    const reopened = new JsonFileStore(path);
    expect(reopened.get('theme')).toBe('dark');
    expect(reopened.get('profile.ids')).toEqual(['a', 'b']);
    expect(reopened.get('gone')).toBeUndefined();
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('returns copies, so callers cannot change stored data without set()', () => {
    const store = new JsonFileStore(storePath());
    store.set('list', [1]);
    (store.get('list') as number[]).push(2);
    expect(store.get('list')).toEqual([1]);
  });

  it('a corrupt file is quarantined, the store starts empty and says so', () => {
    const path = storePath();
    writeFileSync(path, '{"tokenCache": {"v": 1, "backe');
    const store = new JsonFileStore(path, { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    expect(store.quarantined).toBe(`${path}.corrupt-2025-01-02T03-04-05-000Z`);
    expect(readFileSync(store.quarantined!, 'utf8')).toBe('{"tokenCache": {"v": 1, "backe');
    expect(store.get('tokenCache')).toBeUndefined();
    store.set('theme', 'light');
    expect(new JsonFileStore(path).get('theme')).toBe('light');
    expect(new JsonFileStore(path).quarantined).toBeUndefined();
  });

  it('valid JSON that is not an object is quarantined too', () => {
    const path = storePath();
    writeFileSync(path, '[1,2]');
    const store = new JsonFileStore(path);
    expect(store.quarantined).toMatch(/settings\.json\.corrupt-/);
    expect(readdirSync(join(path, '..')).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('removes temp files left by an interrupted write (single owner)', () => {
    const path = storePath();
    const leftover = join(path, '..', '.settings.json.4242.abcdef.tmp');
    writeFileSync(leftover, '{"half":');
    new JsonFileStore(path);
    expect(readdirSync(join(path, '..'))).not.toContain('.settings.json.4242.abcdef.tmp');
  });
});
