/**
 * Writes an executable `tessera` wrapper that runs `test/support/tessera-integrations-cli.ts` under
 * tsx, bound to one token issuer, so real tools (kubectl, git) can run it by absolute path.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ENTRY = fileURLToPath(new URL('./tessera-integrations-cli.ts', import.meta.url));

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** Writes `<dir>/tessera` and returns its path. */
export async function writeTesseraCommand(dir: string, issuerUrl: string): Promise<string> {
  const loader = pathToFileURL(join(require.resolve('tsx/package.json'), '..', 'dist', 'loader.mjs')).href;
  const path = join(dir, 'tessera');
  const script = [
    '#!/bin/sh',
    `TESSERA_TEST_ISSUER=${shellQuote(issuerUrl)} TESSERA_TEST_COMMAND=${shellQuote(path)} exec ${shellQuote(process.execPath)} --import ${shellQuote(loader)} ${shellQuote(ENTRY)} "$@"`,
    '',
  ].join('\n');
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}
