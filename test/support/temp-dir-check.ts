/**
 * Vitest global setup: every test run gets a temp folder of its own, and fails when tests leave
 * `tessera-*` folders in it (issue 8 item 9: a full run used to leave about 25 behind).
 *
 * `TMPDIR` (and `TEMP`/`TMP` for Windows) points the workers' `os.tmpdir()` at the run's folder,
 * so other runs on the same machine (several checkouts test at once) cannot be mistaken for our
 * leaks. The folder itself is removed at the end, after the check.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Prefix of every temp folder our tests create. */
export const TEST_TEMP_PREFIX = 'tessera-';

/** The names in `dir` that a test left behind. */
export function leftoverTempDirs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.startsWith(TEST_TEMP_PREFIX));
  } catch {
    return [];
  }
}

/** Vitest `globalSetup`: returns the teardown that checks for leftovers. */
export default function setup(): () => void {
  const outer = tmpdir();
  // Not `tessera-*` itself, so a leak check of an enclosing run does not count it.
  const runDir = mkdtempSync(join(outer, 'vitest-run-'));
  const saved = { TMPDIR: process.env.TMPDIR, TEMP: process.env.TEMP, TMP: process.env.TMP };
  process.env.TMPDIR = runDir;
  process.env.TEMP = runDir;
  process.env.TMP = runDir;
  return () => {
    const leftovers = leftoverTempDirs(runDir);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
    if (leftovers.length > 0) {
      console.error(`\nTests left ${leftovers.length} temp folder(s) behind (removed now; fix the test that made them): ${leftovers.join(', ')}`);
      process.exitCode = 1;
    }
  };
}
