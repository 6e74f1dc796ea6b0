import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PersistenceError } from '../../../main/persistence/errors';
import { ConfStore } from '../../../main/persistence/settings-store';
import { makeReadOnly, mountSmallDisk } from '../../support/fault-disks';
import { requires, tmpfs } from '../../support/requires';
import { useTempDirs } from '../../support/temp-dirs';

const tempDir = useTempDirs('store');
const storePath = (): string => join(tempDir(), 'data', 'settings.json');

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('ConfStore', () => {
  it('sets, gets and deletes values, and a new instance reads them back', () => {
    const path = storePath();
    const store = new ConfStore(path);
    expect(store.quarantined).toBeUndefined();
    expect(store.problem).toBeUndefined();
    store.set('theme', 'dark');
    store.set('profile.ids', ['a', 'b']);
    store.set('gone', 1);
    store.delete('gone');
    store.set('also-gone', 2);
    store.set('also-gone', undefined);
    const reopened = new ConfStore(path);
    expect(reopened.get('theme')).toBe('dark');
    expect(reopened.get('profile.ids')).toEqual(['a', 'b']);
    expect(reopened.get('gone')).toBeUndefined();
    expect(reopened.get('also-gone')).toBeUndefined();
    if (process.platform !== 'win32') {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    }
  });

  it("writes electron-store's file format (conf: tab-indented JSON), so both read each other's files", () => {
    const path = storePath();
    new ConfStore(path).set('theme', 'dark');
    expect(readFileSync(path, 'utf8')).toBe('{\n\t"theme": "dark"\n}');
  });

  it('returns copies, so callers cannot change stored data without set()', () => {
    const store = new ConfStore(storePath());
    store.set('list', [1]);
    (store.get('list') as number[]).push(2);
    expect(store.get('list')).toEqual([1]);
  });

  it('a corrupt file is quarantined, the store starts empty and says so', () => {
    const path = storePath();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '{"tokenCache": {"v": 1, "backe');
    const store = new ConfStore(path, { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    expect(store.quarantined).toBe(`${path}.corrupt-2025-01-02T03-04-05-000Z`);
    expect(readFileSync(store.quarantined!, 'utf8')).toBe('{"tokenCache": {"v": 1, "backe');
    expect(store.get('tokenCache')).toBeUndefined();
    store.set('theme', 'light');
    expect(new ConfStore(path).get('theme')).toBe('light');
    expect(new ConfStore(path).quarantined).toBeUndefined();
  });

  it('valid JSON that is not an object is quarantined too, not silently replaced by {}', () => {
    for (const text of ['[1,2]', 'null', '"text"']) {
      const path = storePath();
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      const store = new ConfStore(path);
      expect(store.quarantined).toMatch(/settings\.json\.corrupt-/);
      expect(readFileSync(store.quarantined!, 'utf8')).toBe(text);
    }
  });

  it('write failures are typed errors that say what is wrong (a folder in the way of the file)', () => {
    const path = storePath();
    const store = new ConfStore(path);
    mkdirSync(path, { recursive: true });
    const error = thrown(() => store.set('theme', 'dark'));
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as PersistenceError).message).toContain(path);
  });

  it('corrupt settings on a read-only disk: starts with defaults, says why, and never writes over the file', () => {
    const dir = tempDir();
    const path = join(dir, 'settings.json');
    writeFileSync(path, '{ damaged');
    const restore = makeReadOnly(dir);
    try {
      const store = new ConfStore(path);
      expect(store.quarantined).toBeUndefined();
      expect(store.problem?.code).toBe('unreadable_file');
      expect(store.problem?.message).toContain(path);
      expect(store.get('theme')).toBeUndefined();
      const error = thrown(() => store.set('theme', 'dark'));
      expect((error as PersistenceError).code).toBe('unreadable_file');
    } finally {
      restore();
    }
    // Writable again, still frozen for this run: the damaged bytes are exactly as they were.
    expect(readFileSync(path, 'utf8')).toBe('{ damaged');
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  requires(tmpfs()).describe('on a small real disk (tmpfs)', () => {
    it('a full disk at first start: opens, refuses the write with disk_full, works once space is freed', async () => {
      const disk = mountSmallDisk(64);
      try {
        disk.fill();
        const path = join(disk.dir, 'data', 'settings.json');
        const store = new ConfStore(path);
        const error = thrown(() => store.set('theme', 'x'.repeat(8192)));
        expect((error as PersistenceError).code).toBe('disk_full');
        expect((error as PersistenceError).message).toMatch(/full/);
        // atomically removes the failed write's temp file asynchronously, on a later tick.
        const temps = (): string[] => readdirSync(join(disk.dir, 'data')).filter((f) => f.includes('.tmp'));
        for (let tick = 0; tick < 200 && temps().length > 0; tick += 1) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(temps()).toEqual([]);
        disk.free();
        store.set('theme', 'dark');
        expect(new ConfStore(path).get('theme')).toBe('dark');
      } finally {
        disk.dispose();
      }
    });

    it('a full disk keeps the previous settings intact', () => {
      const disk = mountSmallDisk(64);
      try {
        const path = join(disk.dir, 'settings.json');
        const store = new ConfStore(path);
        store.set('theme', 'dark');
        const before = readFileSync(path, 'utf8');
        disk.fill();
        expect((thrown(() => store.set('big', 'y'.repeat(16384))) as PersistenceError).code).toBe('disk_full');
        expect(readFileSync(path, 'utf8')).toBe(before);
        expect(store.get('theme')).toBe('dark');
      } finally {
        disk.dispose();
      }
    });

    it('a read-only disk at first start: the store opens empty, reports read_only, and retries when writable', () => {
      const disk = mountSmallDisk(64);
      try {
        disk.setReadOnly(true);
        const path = join(disk.dir, 'data', 'settings.json');
        const store = new ConfStore(path);
        expect(store.problem?.code).toBe('read_only');
        expect((thrown(() => store.set('theme', 'dark')) as PersistenceError).code).toBe('read_only');
        disk.setReadOnly(false);
        store.set('theme', 'dark');
        expect(store.problem).toBeUndefined();
        expect(existsSync(path)).toBe(true);
      } finally {
        disk.dispose();
      }
    });
  });
});
