import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFileIfExists, removeStaleTempFiles, writeFileAtomic } from '../../../main/persistence/atomic-file';
import { useTempDirs } from '../../support/temp-dirs';

const fixture = fileURLToPath(new URL('./fixtures/atomic-write-loop.ts', import.meta.url));
// `node --import tsx` rather than the `tsx` CLI: the CLI runs the script in a grandchild process,
// which SIGKILL on the CLI would orphan instead of killing.
const tsxLoader = createRequire(import.meta.url).resolve('tsx');

const tempDir = useTempDirs('atomic');

describe('writeFileAtomic', () => {
  it('writes the content with mode 0600 and leaves no temp file', () => {
    const dir = tempDir();
    const file = join(dir, 'data.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, Buffer.from('two'));
    expect(readFileSync(file, 'utf8')).toBe('two');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['data.json']);
  });

  it('readFileIfExists returns undefined for a missing file', () => {
    const dir = tempDir();
    expect(readFileIfExists(join(dir, 'missing'))).toBeUndefined();
    writeFileSync(join(dir, 'x'), 'hello');
    expect(readFileIfExists(join(dir, 'x'), 'utf8')).toBe('hello');
  });

  it('always leaves one complete version when the writer is killed with SIGKILL mid-loop', async () => {
    const dir = tempDir();
    const size = 2_000_000;
    const valid = new Set(['a', 'b'].map((gen) => JSON.stringify({ gen, pad: gen.repeat(size) })));
    const iterations = 20;
    const parallel = 5;
    let interruptedWrites = 0;
    // Five writers at a time, each on its own file, to keep the test within a few seconds.
    for (let batch = 0; batch < iterations / parallel; batch += 1) {
      await Promise.all(
        Array.from({ length: parallel }, async (_, n) => {
          const file = join(dir, `cache-${n}.json`);
          await killWriterAtRandomMoment(file, size);
          const text = readFileSync(file, 'utf8');
          expect(valid.has(text), `batch ${batch}, writer ${n}: not one of the complete contents (${text.length} bytes)`).toBe(true);
          // Leftovers of dead writers only: the files of writers still running in this batch stay.
          interruptedWrites += removeStaleTempFiles(dir, { folderLocked: false }).length;
        }),
      );
    }
    // Each removed temp file is a write the kill interrupted: the test really hit mid-write moments.
    console.log(`kill -9 test: ${interruptedWrites} of ${iterations} kills interrupted a write`);
    expect(interruptedWrites).toBeGreaterThan(0);
    expect(readdirSync(dir).sort()).toEqual(Array.from({ length: parallel }, (_, n) => `cache-${n}.json`));
  }, 60_000);
});

async function killWriterAtRandomMoment(file: string, size: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', tsxLoader, fixture, file, String(size)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', () => reject(new Error('writer exited before it was ready')));
  });
  // A random moment inside the write loop (each 2 MB write + fsync takes a few milliseconds).
  await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 80)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}
