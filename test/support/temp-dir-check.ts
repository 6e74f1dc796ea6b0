/**
 * Vitest global setup: every test run gets a temp folder of its own, and fails when tests leave
 * `tessera-*` folders in it (issue 8 item 9: a full run used to leave about 25 behind).
 *
 * `TMPDIR` (and `TEMP`/`TMP` for Windows) points the workers' `os.tmpdir()` at the run's folder,
 * so other runs on the same machine (several checkouts test at once) cannot be mistaken for our
 * leaks. The folder itself is removed at the end, after the check.
 *
 * A killed run (Ctrl-C twice, kill -9, a session that ends) never reaches that end: its folder stays.
 * Each run folder names its owner (`owner.json`: the process identity that the data-folder lock
 * uses, main/instance/process-identity.ts), and the next run removes the folders whose owner is
 * gone — never one of a run still going, in this checkout or another.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeOwner, ownIdentity, type ProcessIdentity, type ProcessProbe } from '../../main/instance/process-identity';

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

/** Prefix of a run's temp folder (not `tessera-*`, so a leak check of an enclosing run does not count it). */
export const RUN_DIR_PREFIX = 'vitest-run-';
/** The file in a run folder that names the process owning it. */
export const RUN_OWNER_FILE = 'owner.json';
/** A run folder without an owner file (made before owners were recorded) is stale after this long untouched. */
const UNOWNED_STALE_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the run folders in `outer` whose owner process is gone; returns their names.
 *
 * A folder of a run still going is kept (its owner is alive, or it has no owner file yet and was
 * touched within a day); a folder whose owner file cannot be read is judged by its age alone.
 */
export function sweepStaleRunDirs(outer: string, probe?: ProcessProbe, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(outer).filter((name) => name.startsWith(RUN_DIR_PREFIX));
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const dir = join(outer, name);
    let owner: ProcessIdentity | undefined;
    try {
      owner = JSON.parse(readFileSync(join(dir, RUN_OWNER_FILE), 'utf8')) as ProcessIdentity;
    } catch {
      owner = undefined;
    }
    const stale = owner ? judgeOwner(owner, probe) === 'gone' : now - (statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? now) > UNOWNED_STALE_MS;
    if (!stale) continue;
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    swept.push(name);
  }
  return swept;
}

/** The variable that keeps the machine's temp root while `TMPDIR` points at the run's folder. */
export const SYSTEM_TMPDIR_VARIABLE = 'TESSERA_SYSTEM_TMPDIR';

/** Vitest `globalSetup`: returns the teardown that checks for leftovers. */
export default function setup(): () => void {
  const outer = tmpdir();
  const swept = sweepStaleRunDirs(outer);
  if (swept.length > 0) console.log(`Removed ${swept.length} temp folder(s) of killed test runs: ${swept.join(', ')}`);
  const runDir = mkdtempSync(join(outer, RUN_DIR_PREFIX));
  writeFileSync(join(runDir, RUN_OWNER_FILE), JSON.stringify(ownIdentity()));
  const saved = { TMPDIR: process.env.TMPDIR, TEMP: process.env.TEMP, TMP: process.env.TMP, [SYSTEM_TMPDIR_VARIABLE]: process.env[SYSTEM_TMPDIR_VARIABLE] };
  // For a child that must see the machine's own temp root (test/build/packaging.test.ts).
  process.env[SYSTEM_TMPDIR_VARIABLE] = outer;
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
