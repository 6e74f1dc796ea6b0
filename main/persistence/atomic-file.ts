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

const TEMP_SUFFIX = '.tmp';

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/**
 * Writes `data` to `path` atomically: temp file + write + fsync + rename + fsync of the directory.
 *
 * Synchronous on purpose: the stores built on it are synchronous (as electron-store is), and the
 * main process is the only writer.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const mode = options.mode ?? 0o600;
  const tempPath = join(dirname(path), `${tempPrefix(path)}${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
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

/**
 * Deletes temp files that an interrupted {@link writeFileAtomic} of `path` left behind.
 *
 * Only safe when the caller is the single writer of `path` (the main process holds the
 * single-instance lock). Returns the number of files removed.
 */
export function removeStaleTempFiles(path: string): number {
  const prefix = tempPrefix(path);
  let removed = 0;
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith(TEMP_SUFFIX)) continue;
    try {
      unlinkSync(join(dirname(path), entry));
      removed += 1;
    } catch {
      // Raced with another cleanup or not ours to delete; leave it.
    }
  }
  return removed;
}
