import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataFolderLock, claimDataFolder, LOCK_NAME, OWNER_DETAILS_NAME } from '../../../main/instance/data-folder-lock';
import { handOverText, InstanceError } from '../../../main/instance/errors';
import { judgeOwner, ownIdentity, processStartOf, type ProcessIdentity } from '../../../main/instance/process-identity';
import { makeReadOnly } from '../../support/fault-disks';
import { useTempDirs } from '../../support/temp-dirs';

const tempDir = useTempDirs('lock');

/** The id of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function lockOf(identity: ProcessIdentity, nonce = 'aaaaaaaaaaaa'): string {
  return ['tessera-lock:v1', identity.host, identity.boot, identity.pid, identity.start, nonce].join(':');
}

describe('data-folder lock', () => {
  it('is taken atomically by the first caller; a second is told who holds it and how to reach it', () => {
    const dir = join(tempDir(), 'data');
    const first = claimDataFolder(dir, { app: 'browser-mode' });
    expect(first.kind).toBe('acquired');
    if (first.kind !== 'acquired') return;
    first.lock.publish({ app: 'browser-mode', url: 'http://127.0.0.1:1234/#k=abc' });
    if (process.platform !== 'win32') expect(lstatSync(join(dir, LOCK_NAME)).isSymbolicLink()).toBe(true);
    const second = acquireDataFolderLock(dir);
    expect(second).toMatchObject({ kind: 'held', verdict: 'running', holder: { pid: process.pid, details: { app: 'browser-mode', url: 'http://127.0.0.1:1234/#k=abc' } } });
    if (second.kind !== 'held') return;
    const error = new InstanceError(dir, second.holder, second.verdict);
    expect(error.code).toBe('data_folder_in_use');
    expect(error.message).toContain('Open it at the address below');
    expect(handOverText(error)).toMatch(/below\. .*\nhttp:\/\/127\.0\.0\.1:1234\/#k=abc$/s);
    expect(error.message).toContain('changes nothing');
    first.lock.release();
    expect(existsSync(join(dir, LOCK_NAME))).toBe(false);
    expect(existsSync(join(dir, OWNER_DETAILS_NAME))).toBe(false);
    expect(acquireDataFolderLock(dir).kind).toBe('acquired');
  });

  it("a crashed owner's lock (process gone) is recovered and reported", () => {
    const dir = tempDir();
    const crashed = { ...ownIdentity(), pid: deadPid(), start: '1' };
    symlinkSync(lockOf(crashed), join(dir, LOCK_NAME));
    const attempt = acquireDataFolderLock(dir);
    expect(attempt).toMatchObject({ kind: 'acquired', recovered: { pid: crashed.pid } });
    if (attempt.kind === 'acquired') expect(attempt.lock.held()).toBe(true);
  });

  it('a recycled process id (same id, other start time) is recognised as a crashed owner', () => {
    const dir = tempDir();
    // Our own id, but "started" at another time: the owner died and the id went to this process.
    const recycled = { ...ownIdentity(), start: `${Number(processStartOf(process.pid)) - 1}` };
    symlinkSync(lockOf(recycled), join(dir, LOCK_NAME));
    expect(judgeOwner(recycled)).toBe(process.platform === 'linux' ? 'gone' : 'running');
    if (process.platform === 'linux') expect(acquireDataFolderLock(dir)).toMatchObject({ kind: 'acquired', recovered: { pid: process.pid } });
  });

  it('a lock from an earlier boot is stale; one from another computer is respected', () => {
    const dir = tempDir();
    const self = ownIdentity();
    if (self.boot !== '-') {
      symlinkSync(lockOf({ ...self, boot: 'ffffffff' }), join(dir, LOCK_NAME));
      expect(acquireDataFolderLock(dir).kind).toBe('acquired');
    }
    const other = tempDir();
    symlinkSync(lockOf({ ...self, host: '00000000' }), join(other, LOCK_NAME));
    const attempt = acquireDataFolderLock(other);
    expect(attempt).toMatchObject({ kind: 'held', verdict: 'other-host' });
    if (attempt.kind === 'held') expect(new InstanceError(other, attempt.holder, attempt.verdict).message).toContain('another computer');
  });

  it('an unrecognised lock is respected, not broken', () => {
    const dir = tempDir();
    symlinkSync('something-else', join(dir, LOCK_NAME));
    expect(acquireDataFolderLock(dir).kind).toBe('held');
    expect(readlinkSync(join(dir, LOCK_NAME))).toBe('something-else');
  });

  it("release never removes another owner's lock", () => {
    const dir = tempDir();
    const first = acquireDataFolderLock(dir);
    if (first.kind !== 'acquired') throw new Error('expected the lock');
    // Someone broke our lock and took it (it must never happen; release still must not hurt them).
    const theirs = lockOf({ ...ownIdentity(), pid: 1, start: '-' }, 'bbbbbbbbbbbb');
    unlinkSync(join(dir, LOCK_NAME));
    symlinkSync(theirs, join(dir, LOCK_NAME));
    expect(first.lock.held()).toBe(false);
    first.lock.release();
    expect(readlinkSync(join(dir, LOCK_NAME))).toBe(theirs);
  });

  it('a dead takeover lock left by a crash in the middle of a recovery does not block recovery for good', () => {
    const dir = tempDir();
    const crashed = { ...ownIdentity(), pid: deadPid(), start: '1' };
    symlinkSync(lockOf(crashed), join(dir, LOCK_NAME));
    symlinkSync(lockOf(crashed, 'cccccccccccc'), join(dir, `${LOCK_NAME}.takeover`));
    expect(acquireDataFolderLock(dir).kind).toBe('acquired');
    expect(existsSync(join(dir, `${LOCK_NAME}.takeover`))).toBe(false);
  });

  it('start-up clean-up: removes temp files of dead writers and of conf once locked, never a live writer\'s', () => {
    const dir = tempDir();
    const dead = deadPid();
    const files = {
      deadOurs: `.settings.json.${dead}.0123456789ab.tmp`,
      liveOurs: `.settings.json.${process.pid}.0123456789ab.tmp`,
      deadKey: `token-cache.key.${dead}.0123456789ab.new`,
      confTemp: 'settings.json.tmp-1732990000abcdef',
      unrelated: 'settings.json',
    };
    for (const name of Object.values(files)) writeFileSync(join(dir, name), '{"half":');
    const claim = claimDataFolder(dir, { app: 'test' });
    expect(claim.kind).toBe('acquired');
    if (claim.kind !== 'acquired') return;
    expect([...claim.removedTempFiles].sort()).toEqual([files.deadOurs, files.deadKey, files.confTemp].sort());
    expect(readdirSync(dir).sort()).toEqual([files.liveOurs, files.unrelated, LOCK_NAME, OWNER_DETAILS_NAME].sort());
    // A second claimant (held) touches nothing.
    writeFileSync(join(dir, 'settings.json.tmp-1732990001abcdef'), '{"in flight":');
    expect(claimDataFolder(dir, { app: 'test' }).kind).toBe('held');
    expect(readFileSync(join(dir, 'settings.json.tmp-1732990001abcdef'), 'utf8')).toBe('{"in flight":');
  });

  it('a folder that cannot be locked (read-only) is reported as unavailable with a typed reason, not a crash', () => {
    const dir = tempDir();
    const restore = makeReadOnly(dir);
    try {
      const attempt = acquireDataFolderLock(dir);
      expect(attempt.kind).toBe('unavailable');
      if (attempt.kind === 'unavailable') expect(['read_only', 'permission_denied']).toContain(attempt.problem.code);
    } finally {
      restore();
    }
  });
});
