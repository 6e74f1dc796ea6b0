/**
 * Telling a running process from a dead one whose id was handed to another process.
 *
 * A lock that names only a process id is wrong after a crash once the id is reused (Chromium's
 * `SingletonLock` and Emacs's lock files add the host and boot for the same reason). The start
 * time of the process, and the boot it belongs to, make the id unique.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isProcessAlive } from '../persistence/atomic-file';

/** Who a lock belongs to, in a form another process on the same machine can check. */
export interface ProcessIdentity {
  /** Short hash of the host name: a lock from another computer (shared home folder) is never judged. */
  readonly host: string;
  /** Short id of the current boot (Linux), or `-` where there is none: every process of an earlier boot is gone. */
  readonly boot: string;
  readonly pid: number;
  /** When the process started (clock ticks since boot on Linux, a date on macOS), or `-` when unknown. */
  readonly start: string;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 8) || '-';
  } catch {
    return '-';
  }
}

/** The start time of `pid`, or `-` when it cannot be read (no such process, or no way to ask). */
export function processStartOf(pid: number): string {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[19] ?? '-';
    } catch {
      return '-';
    }
  }
  if (process.platform === 'darwin') {
    try {
      return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 2_000 }).trim().replace(/[^A-Za-z0-9]+/g, '_') || '-';
    } catch {
      return '-';
    }
  }
  return '-';
}

let own: ProcessIdentity | undefined;

/** This process. */
export function ownIdentity(): ProcessIdentity {
  own ??= { host: shortHash(hostname()), boot: readBootId(), pid: process.pid, start: processStartOf(process.pid) };
  return own;
}

/** What {@link judgeOwner} concludes about the process a lock names. */
export type OwnerVerdict = 'running' | 'gone' | 'other-host';

/** Ways to look at processes; tests pass their own. */
export interface ProcessProbe {
  isAlive(pid: number): boolean;
  startOf(pid: number): string;
}

const systemProbe: ProcessProbe = { isAlive: isProcessAlive, startOf: processStartOf };

/**
 * Whether the process named by `owner` still runs.
 *
 * `gone` when it belongs to an earlier boot, when no process has its id, or when the process with
 * its id started at another time (the id was recycled). `other-host` when it was written on
 * another computer, which this one cannot check. Otherwise `running`: when in doubt (a start time
 * that cannot be read), a lock is respected rather than broken.
 */
export function judgeOwner(owner: ProcessIdentity, probe: ProcessProbe = systemProbe): OwnerVerdict {
  const self = ownIdentity();
  if (owner.host !== self.host) return 'other-host';
  if (owner.boot !== '-' && self.boot !== '-' && owner.boot !== self.boot) return 'gone';
  if (!probe.isAlive(owner.pid)) return 'gone';
  if (owner.start === '-') return 'running';
  const start = probe.startOf(owner.pid);
  return start !== '-' && start !== owner.start ? 'gone' : 'running';
}
