/**
 * Temp folders for a test file, removed after its last test (the run fails on leftovers: see
 * `temp-dir-check.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Returns a maker of fresh `tessera-<name>-*` folders; call it at the top level of a test file
 * (it registers an `afterAll` that removes every folder it made).
 */
export function useTempDirs(name: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `tessera-${name}-`));
    made.push(dir);
    return dir;
  };
}
