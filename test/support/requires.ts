/**
 * The one way to skip: a suite (or a single test) that needs something this machine may lack — a
 * real Chromium, xclip, kubectl, MSAL Python, root — is declared through {@link requires}. When a
 * requirement is missing the suite is skipped (skipped, never passed) and exactly one line says
 * which suite and why, with what to install:
 *
 * ```
 * SKIP "the real kubectl runs tessera as its exec credential plugin": kubectl not found (/usr/bin/kubectl): apt-get install kubectl
 * ```
 *
 * ```ts
 * const needs = requires(chromiumInstalled(), command('script', 'apt-get install util-linux'));
 * needs.describe('tessera command against the running app', () => { … });
 * ```
 *
 * A real Chromium is `chromiumInstalled()` in `./browser` (kept there so that a file that needs no
 * browser does not load playwright-core).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';
import { canMountTmpfs } from './fault-disks';

/** Something a test needs: whether this machine has it, and one line on what is missing. */
export interface Requirement {
  readonly met: boolean;
  /** What is missing and how to get it (read only when `met` is false). */
  readonly missing: string;
}

/** A requirement from a plain condition. */
export function requirement(met: boolean, missing: string): Requirement {
  return { met, missing };
}

/** Whether `name` is an executable on `PATH`. */
export function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // Not in this folder.
    }
  }
  return false;
}

/** A command on `PATH`; `install` says how to get it (e.g. `apt-get install xclip`). */
export function command(name: string, install: string): Requirement {
  return requirement(onPath(name), `${name} not found on PATH: ${install}`);
}

/** A file at a fixed place (a Debian package's files); `what` names it, `install` says how to get it. */
export function file(path: string, what: string, install: string): Requirement {
  return requirement(existsSync(path), `${what} not installed (${path}): ${install}`);
}

/**
 * Debian's azure-identity for Python (package python3-azure, which azure-cli depends on). CI runners
 * without Debian's packages skip the Python SDK checks: the line says so instead of passing silently.
 */
export function pythonAzureIdentity(): Requirement {
  return file('/usr/lib/python3/dist-packages/azure/identity', "Debian's azure-identity for Python", 'apt-get install python3-azure (or azure-cli); on CI without it the Python SDK check does not run');
}

/** Running as root (another user's files, mounts). */
export function root(why: string): Requirement {
  return requirement(typeof process.getuid === 'function' && process.getuid() === 0, `not running as root, which ${why}`);
}

/** A small real disk (a tmpfs this process may mount: root on Linux, not blocked by the container). */
export function tmpfs(): Requirement {
  return requirement(canMountTmpfs(), 'cannot mount a tmpfs here (needs root on Linux, in a container that allows mounts)');
}

/** `describe` and `it` that run when every requirement is met, and otherwise skip with one line. */
export interface Gate {
  /** Whether every requirement is met. */
  readonly met: boolean;
  /** Why not, as one line (empty when met). */
  readonly why: string;
  readonly describe: (title: string, body: () => void) => void;
  readonly it: (title: string, body: () => Promise<void> | void, timeout?: number) => void;
}

/** A {@link Gate} over `requirements`: the suites it declares run only where all are met. */
export function requires(...requirements: readonly Requirement[]): Gate {
  const why = requirements
    .filter((r) => !r.met)
    .map((r) => r.missing)
    .join('; ');
  const met = why === '';
  const say = (title: string): void => {
    // One line per skipped suite, where the run prints the file's output.
    console.log(`SKIP "${title}": ${why}`);
  };
  return {
    met,
    why,
    describe(title, body) {
      if (met) return describe(title, body);
      say(title);
      describe.skip(title, body);
    },
    it(title, body, timeout) {
      if (met) return it(title, body, timeout);
      say(title);
      it.skip(title, body, timeout);
    },
  };
}
