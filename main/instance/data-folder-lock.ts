/**
 * One owner per data folder (issue 8 item 3: two browser-mode hosts on one folder lost half of
 * their acknowledged writes, and each deleted the other's in-flight temp files).
 *
 * The lock is `tessera.lock` in the data folder, created atomically: a symbolic link whose target
 * names the owner (`tessera-lock:v1:<host>:<boot>:<pid>:<start>:<nonce>`), as Chromium's
 * `SingletonLock` and Emacs's lock files do. `symlink()` fails with `EEXIST` when the lock exists,
 * so exactly one process wins, and the owner's name is in place the moment the lock exists (an
 * `O_EXCL` file is empty until its owner writes it). It needs no data block, so it also works on a
 * full disk. On Windows, where symbolic links need a privilege, it is an `O_EXCL` (`wx`) file with
 * the same text.
 *
 * How to reach the owner (browser mode's URL) is in `tessera-owner.json` next to it, written after
 * the lock is taken and trusted only when its nonce matches the lock's.
 *
 * A crashed owner's lock is stale: its process is gone, or its id now names a process that started
 * at another time (see `process-identity.ts`). Breaking a stale lock happens under a second lock,
 * `tessera.lock.takeover`, so two starters that both found it stale cannot both win: the one that
 * holds the takeover lock checks again that the lock is still the stale one before replacing it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFolder, readFileIfExists, removeStaleTempFiles, writeFileAtomic } from '../persistence/atomic-file';
import { diskError, errnoOf, type PersistenceError } from '../persistence/errors';
import { judgeOwner, ownIdentity, type ProcessIdentity, type ProcessProbe } from './process-identity';

/** Name of the lock in the data folder. */
export const LOCK_NAME = 'tessera.lock';
/** Name of the owner's details (how to reach it) in the data folder. */
export const OWNER_DETAILS_NAME = 'tessera-owner.json';
const TAKEOVER_SUFFIX = '.takeover';
const PREFIX = 'tessera-lock:v1';

/** What the owner tells a second instance. */
export interface OwnerDetails {
  /** `browser-mode` or `electron`. */
  readonly app: string;
  /** Where the owner can be reached (browser mode's address with its launch secret). */
  readonly url?: string;
}

/** The process named by a lock, with its details when they could be read. */
export interface LockHolder extends ProcessIdentity {
  readonly nonce: string;
  readonly details?: OwnerDetails & { readonly since: number };
}

/** Result of {@link acquireDataFolderLock}. */
export type LockAttempt =
  | {
      readonly kind: 'acquired';
      readonly lock: DataFolderLock;
      /** The crashed owner whose stale lock was replaced, if any. */
      readonly recovered?: LockHolder;
    }
  | {
      readonly kind: 'held';
      readonly holder: LockHolder;
      /** `other-host`: written on another computer (shared folder), so it cannot be checked here. */
      readonly verdict: 'running' | 'other-host';
    }
  | {
      /** The folder cannot hold a lock (read-only disk, no permission): nothing can be written there anyway. */
      readonly kind: 'unavailable';
      readonly problem: PersistenceError;
    };

/** Options of {@link acquireDataFolderLock}. */
export interface LockOptions {
  /** How processes are examined; tests pass their own. */
  readonly probe?: ProcessProbe;
  /** The identity written into the lock; defaults to this process. Tests and helper processes pass their own. */
  readonly identity?: ProcessIdentity;
}

function encode(identity: ProcessIdentity, nonce: string): string {
  return [PREFIX, identity.host, identity.boot, identity.pid, identity.start, nonce].join(':');
}

function decode(text: string): LockHolder | undefined {
  if (!text.startsWith(`${PREFIX}:`)) return undefined;
  const [host, boot, pid, start, nonce, ...rest] = text.slice(PREFIX.length + 1).split(':');
  if (!host || !boot || !pid || !start || !nonce || rest.length > 0 || !/^\d+$/.test(pid)) return undefined;
  return { host, boot, pid: Number(pid), start, nonce };
}

const useFiles = process.platform === 'win32';

/** Creates `path` naming `text`, atomically; throws `EEXIST` when it exists. */
function createExclusive(path: string, text: string): void {
  if (useFiles) writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
  else symlinkSync(text, path);
}

/** The text of a lock, or `undefined` when there is none. */
function readLock(path: string): string | undefined {
  try {
    return useFiles ? readFileSync(path, 'utf8') : readlinkSync(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    // A plain file where a link should be (EINVAL): someone else's; read it as text.
    if (errnoOf(error) === 'EINVAL') return readFileSync(path, 'utf8');
    throw error;
  }
}

function readDetails(dir: string, nonce: string): LockHolder['details'] {
  try {
    const text = readFileIfExists(join(dir, OWNER_DETAILS_NAME), 'utf8');
    if (!text) return undefined;
    const value = JSON.parse(text) as { nonce?: unknown; app?: unknown; url?: unknown; since?: unknown };
    if (value.nonce !== nonce || typeof value.app !== 'string' || typeof value.since !== 'number') return undefined;
    return { app: value.app, since: value.since, ...(typeof value.url === 'string' ? { url: value.url } : {}) };
  } catch {
    return undefined;
  }
}

function holderOf(dir: string, text: string): LockHolder {
  const decoded = decode(text);
  // An unrecognised lock (a future version, or garbage) is respected but cannot be judged.
  if (!decoded) return { host: 'unknown', boot: '-', pid: 0, start: '-', nonce: '-' };
  const details = readDetails(dir, decoded.nonce);
  return details ? { ...decoded, details } : decoded;
}

/** The data-folder lock, held by this process. */
export class DataFolderLock {
  readonly dir: string;
  readonly path: string;
  readonly #text: string;
  readonly #nonce: string;
  #released = false;

  /** @internal Created by {@link acquireDataFolderLock}. */
  constructor(dir: string, text: string, nonce: string) {
    this.dir = dir;
    this.path = join(dir, LOCK_NAME);
    this.#text = text;
    this.#nonce = nonce;
  }

  /**
   * Tells later starters how to reach this owner. Best effort: on a full disk the lock still holds
   * and a second instance is told the owner's process id instead of its address.
   */
  publish(details: OwnerDetails): boolean {
    try {
      writeFileAtomic(join(this.dir, OWNER_DETAILS_NAME), `${JSON.stringify({ v: 1, nonce: this.#nonce, since: Date.now(), ...details })}\n`, { mode: 0o600 });
      return true;
    } catch {
      return false;
    }
  }

  /** True while the lock on disk is still this one. */
  held(): boolean {
    try {
      return !this.#released && readLock(this.path) === this.#text;
    } catch {
      return false;
    }
  }

  /** Removes the lock (only if it is still ours) and the owner's details. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      if (readLock(this.path) !== this.#text) return;
      const details = readFileIfExists(join(this.dir, OWNER_DETAILS_NAME), 'utf8');
      if (details?.includes(`"nonce":"${this.#nonce}"`)) unlinkSync(join(this.dir, OWNER_DETAILS_NAME));
      unlinkSync(this.path);
    } catch {
      // Already gone, or the disk went read-only: the next start finds it stale.
    }
  }
}

/**
 * Takes the lock of `dir` (creating the folder, mode 0700), or says who holds it.
 *
 * A stale lock (its owner crashed) is replaced and reported in `recovered`. Synchronous: it runs
 * once at start-up, before any store of the folder is opened.
 */
export function acquireDataFolderLock(dir: string, options: LockOptions = {}): LockAttempt {
  const identity = options.identity ?? ownIdentity();
  const nonce = randomBytes(6).toString('hex');
  const text = encode(identity, nonce);
  const path = join(dir, LOCK_NAME);
  try {
    ensureFolder(dir);
  } catch (error) {
    return { kind: 'unavailable', problem: diskError(error, 'Tessera cannot use its data folder', dir) };
  }
  let recovered: LockHolder | undefined;
  // A few rounds: each lost race (another starter took or freed the lock meanwhile) re-reads it.
  for (let round = 0; round < 20; round += 1) {
    try {
      createExclusive(path, text);
      return { kind: 'acquired', lock: new DataFolderLock(dir, text, nonce), ...(recovered ? { recovered } : {}) };
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') return { kind: 'unavailable', problem: diskError(error, 'Tessera cannot lock its data folder', dir) };
    }
    const current = readLock(path);
    if (current === undefined) continue; // freed in between: try again
    const holder = holderOf(dir, current);
    const verdict = holder.pid === 0 ? 'running' : judgeOwner(holder, options.probe);
    if (verdict !== 'gone') return { kind: 'held', holder, verdict };
    if (breakStaleLock(path, current, identity, nonce, options.probe)) recovered = holder;
  }
  // Twenty lost races in a row: someone keeps taking and freeing it; report the current holder.
  const current = readLock(path);
  return current === undefined
    ? { kind: 'unavailable', problem: diskError(new Error('lock contention'), 'Tessera could not lock its data folder', dir) }
    : { kind: 'held', holder: holderOf(dir, current), verdict: 'running' };
}

/**
 * Removes the lock at `path` if it still reads `staleText`, under the takeover lock. Returns true
 * when it removed it.
 */
function breakStaleLock(path: string, staleText: string, identity: ProcessIdentity, nonce: string, probe: ProcessProbe | undefined): boolean {
  const takeover = `${path}${TAKEOVER_SUFFIX}`;
  const takeoverText = encode(identity, nonce);
  try {
    createExclusive(takeover, takeoverText);
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') return false;
    // Another starter is breaking it right now — or crashed while doing so (a window of a few
    // system calls). Only the latter's takeover lock is removed; the caller's next round retries.
    const other = readLock(takeover);
    if (other !== undefined) {
      const holder = decode(other);
      if (!holder || judgeOwner(holder, probe) === 'gone') {
        try {
          if (readLock(takeover) === other) unlinkSync(takeover);
        } catch {
          // Someone else cleaned it.
        }
      }
    }
    return false;
  }
  try {
    if (readLock(path) !== staleText) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false;
  } finally {
    try {
      unlinkSync(takeover);
    } catch {
      // Nothing to do: a leftover takeover lock is itself recovered as stale.
    }
  }
}

/** Result of {@link claimDataFolder}. */
export type DataFolderClaim = (LockAttempt & { readonly kind: 'acquired' | 'unavailable' }) & {
  /** Temp files of killed writes that were removed. */
  readonly removedTempFiles: readonly string[];
};

/**
 * Takes the data-folder lock and, once it is ours, removes the temp files that killed writes left
 * in the folder and its `backups` folder (safe now: no other process writes there).
 *
 * When another live process holds it, returns `held` and touches nothing. When the folder cannot
 * be locked at all (read-only disk), returns `unavailable` after removing only temp files whose
 * writer process is gone.
 */
export function claimDataFolder(dir: string, details: OwnerDetails, options: LockOptions = {}): DataFolderClaim | (LockAttempt & { readonly kind: 'held' }) {
  const attempt = acquireDataFolderLock(dir, options);
  if (attempt.kind === 'held') return attempt;
  const folderLocked = attempt.kind === 'acquired';
  if (attempt.kind === 'acquired') attempt.lock.publish(details);
  const removedTempFiles = [dir, join(dir, 'backups')].flatMap((folder) => removeStaleTempFiles(folder, { folderLocked }));
  return { ...attempt, removedTempFiles };
}
