/**
 * Crash-safe file writes.
 *
 * A write goes to a temporary file in the same directory, is flushed to disk, and is then renamed
 * over the target, so a crash (even `kill -9` or power loss) leaves either the old or the new
 * content, never a mix. The directory is flushed too so the rename itself survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file; defaults to `0o600` (owner only) because these files hold secrets. */
  readonly mode?: number;
}


/**
 * Writes `data` to `path` atomically: temp file + write + fsync + rename + fsync of the directory.
 *
 * Synchronous on purpose: the stores built on it are synchronous (as electron-store is), and the
 * main process is the only writer.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const mode = options.mode ?? 0o600;
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  // 'wx': never follow or reuse an existing file at the temp path.
  const fd = openSync(tempPath, 'wx', mode);
  try {
    try {
      // The umask may have removed bits; set the exact mode (a no-op on Windows).
      if (process.platform !== 'win32') fchmodSync(fd, mode);
      let offset = 0;
      while (offset < bytes.byteLength) {
        offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tempPath, path);
  } catch (error) {
    try {
      unlinkSync(tempPath);
    } catch {
      // Already renamed or never created: nothing to clean up.
    }
    throw error;
  }
  fsyncDirectory(dirname(path));
}

function fsyncDirectory(dir: string): void {
  // Windows cannot open a directory for fsync; NTFS's rename is already journaled.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads a file, or returns `undefined` when it does not exist. Other errors are thrown. */
export function readFileIfExists(path: string): Buffer | undefined;
/** Reads a text file, or returns `undefined` when it does not exist. Other errors are thrown. */
export function readFileIfExists(path: string, encoding: 'utf8'): string | undefined;
export function readFileIfExists(path: string, encoding?: 'utf8'): Buffer | string | undefined {
  try {
    return encoding ? readFileSync(path, encoding) : readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Options of {@link removeStaleTempFiles}. */
export interface StaleTempOptions {
  /**
   * The caller holds the data-folder lock (`main/instance/`), so no other process writes here.
   * Only then are temp files without a process id in their name (conf's, through `atomically`)
   * removed: their writer cannot be told from a live one otherwise.
   */
  readonly folderLocked: boolean;
  /** Whether a process id is running; defaults to a signal-0 probe. */
  readonly isAlive?: (pid: number) => boolean;
}

/** `.<name>.<pid>.<hex>.tmp` of {@link writeFileAtomic} and `<name>.<pid>.<hex>.new` of the key-file cipher. */
const PID_TEMP = /^(?:\..+\.(\d+)\.[0-9a-f]{12}\.tmp|.+\.(\d+)\.[0-9a-f]{12}\.new)$/;
/** `<name>.tmp-<10 digits><6 hex>` of `atomically` (conf and electron-store). */
const ATOMICALLY_TEMP = /^.+\.tmp-\d{10}[0-9a-f]{6}$/;

/** True when `pid` names a running process (or one we may not signal, which is running too). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes, in `dir`, temp files that killed writes left behind, and returns their names.
 *
 * Never a live writer's: a temp file whose name carries a process id is removed only when that
 * process is gone; one without (conf's) only when the caller holds the data-folder lock, since
 * then every other process that could write here has handed over instead (issue 8 item 3: two
 * hosts used to delete each other's in-flight temp files). A recycled process id keeps its file:
 * when in doubt, a few stray bytes are kept rather than a write broken.
 */
export function removeStaleTempFiles(dir: string, options: StaleTempOptions): string[] {
  const isAlive = options.isAlive ?? isProcessAlive;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const pidMatch = PID_TEMP.exec(entry);
    const stale = pidMatch ? !isAlive(Number(pidMatch[1] ?? pidMatch[2])) : options.folderLocked && ATOMICALLY_TEMP.test(entry);
    if (!stale) continue;
    try {
      unlinkSync(join(dir, entry));
      removed.push(entry);
    } catch {
      // Raced with its writer's own clean-up, or not ours to delete: leave it.
    }
  }
  return removed;
}

/**
 * Creates `dir` and its parents (mode `mode`), throwing the real reason when it cannot.
 *
 * Node's recursive `mkdir` reports `ENOENT` when the disk is read-only or full; creating the
 * missing folders one by one surfaces `EROFS` / `ENOSPC` / `EACCES`, which the user can act on.
 */
export function ensureFolder(dir: string, mode = 0o700): void {
  try {
    mkdirSync(dir, { recursive: true, mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const missing: string[] = [];
    for (let current = dir; !existsSync(current); current = dirname(current)) {
      missing.unshift(current);
      if (dirname(current) === current) break;
    }
    // Throws the real reason; if every folder could be made after all (a race), all is well.
    for (const folder of missing) mkdirSync(folder, { mode });
  }
}
