/**
 * The global setup's sweep of temp folders left by killed test runs (a killed run never reaches
 * its teardown, so its `vitest-run-*` folder stayed forever).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownIdentity } from '../../main/instance/process-identity';
import { RUN_DIR_PREFIX, RUN_OWNER_FILE, sweepStaleRunDirs } from './temp-dir-check';
import { useTempDirs } from './temp-dirs';

const tempDir = useTempDirs('sweep');

function runDir(outer: string, name: string, owner?: object): string {
  const dir = join(outer, `${RUN_DIR_PREFIX}${name}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'left-by-a-test'), 'x');
  if (owner) writeFileSync(join(dir, RUN_OWNER_FILE), JSON.stringify(owner));
  return dir;
}

describe('sweepStaleRunDirs', () => {
  it('removes the folders of killed runs and keeps those of runs still going (bug: killed runs left vitest-run-* folders forever)', () => {
    const outer = tempDir();
    // A process that has exited: its id names no running process of ours.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    runDir(outer, 'killed', { ...ownIdentity(), pid: dead, start: '1' });
    runDir(outer, 'running', ownIdentity());
    runDir(outer, 'recycled-id', { ...ownIdentity(), start: 'another-start' });
    runDir(outer, 'unowned-fresh');
    const old = runDir(outer, 'unowned-old');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    mkdirSync(join(outer, 'tessera-not-a-run-folder'));

    const swept = sweepStaleRunDirs(outer);

    expect(swept.sort()).toEqual([`${RUN_DIR_PREFIX}killed`, `${RUN_DIR_PREFIX}recycled-id`, `${RUN_DIR_PREFIX}unowned-old`]);
    expect(readdirSync(outer).sort()).toEqual(['tessera-not-a-run-folder', `${RUN_DIR_PREFIX}running`, `${RUN_DIR_PREFIX}unowned-fresh`]);
    expect(existsSync(join(outer, `${RUN_DIR_PREFIX}running`, 'left-by-a-test'))).toBe(true);
  });

  it('an owner on another computer (a shared temp folder) is never judged', () => {
    const outer = tempDir();
    runDir(outer, 'elsewhere', { ...ownIdentity(), host: 'another-host', pid: 1 });
    expect(sweepStaleRunDirs(outer)).toEqual([]);
  });
});
