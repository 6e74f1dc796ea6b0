/**
 * Real broken disks for persistence tests: a tiny tmpfs that can be filled up or remounted
 * read-only, and read-only folders.
 *
 * Mounting needs root (CI containers and this machine run tests as root); without it a full disk
 * cannot be made and the tests that need one are skipped, while read-only folders fall back to
 * `chmod` (which root would ignore, hence the bind mount).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;

function mount(args: readonly string[]): void {
  execFileSync('mount', args, { stdio: 'ignore' });
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // Busy (a child still has a file open): detach now, the kernel frees it when it closes.
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

let mountable: boolean | undefined;

/** Whether this process can mount a tmpfs (root on Linux, not blocked by the container). */
export function canMountTmpfs(): boolean {
  if (mountable !== undefined) return mountable;
  mountable = false;
  if (!isRoot) return mountable;
  const probe = mkdtempSync(join(tmpdir(), 'tessera-mount-probe-'));
  try {
    mount(['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe]);
    unmount(probe);
    mountable = true;
  } catch {
    mountable = false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
  return mountable;
}

/** A small tmpfs mounted on a fresh temp folder. */
export interface SmallDisk {
  /** The mount point. */
  readonly dir: string;
  /** Fills every free byte with a filler file (the next write fails with ENOSPC). */
  fill(): void;
  /** Removes the filler. */
  free(): void;
  /** Remounts read-only (writes fail with EROFS) or back to read-write. */
  setReadOnly(readOnly: boolean): void;
  /** Unmounts and removes the mount point. */
  dispose(): void;
}

/** Mounts a tmpfs of `sizeKb` KiB; needs {@link canMountTmpfs}. */
export function mountSmallDisk(sizeKb = 256): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-disk-'));
  mount(['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, '.filler');
  let mounted = true;
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(4096);
      let size = 0;
      for (;;) {
        try {
          writeFileSync(filler, chunk, { flag: 'a' });
          size += chunk.length;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
      // Also the partial last block: one byte at a time.
      for (;;) {
        try {
          writeFileSync(filler, Buffer.alloc(1), { flag: 'a' });
          size += 1;
        } catch {
          break;
        }
        if (size > 64 * 1024 * 1024) throw new Error('the small disk never filled up');
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    setReadOnly(readOnly) {
      mount(['-o', `remount,${readOnly ? 'ro' : 'rw'}`, dir]);
    },
    dispose() {
      if (!mounted) return;
      mounted = false;
      unmount(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes `dir` read-only for this process until the returned function is called: a read-only bind
 * mount as root (writes fail with EROFS), `chmod 0555` otherwise (EACCES).
 */
export function makeReadOnly(dir: string): () => void {
  if (canMountTmpfs()) {
    mount(['--bind', dir, dir]);
    mount(['-o', 'remount,bind,ro', dir]);
    return () => unmount(dir);
  }
  chmodSync(dir, 0o555);
  return () => chmodSync(dir, 0o700);
}
