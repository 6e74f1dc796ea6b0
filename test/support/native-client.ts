/**
 * The native `tessera` client (cli/native, Go) for tests: built on first use (go build caches, so
 * later builds in a run take a moment), skipped with one line where Go is not installed.
 */
import { join, resolve } from 'node:path';
import { command, type Requirement } from './requires';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

interface NativeBuild {
  buildNative(root: string, options?: { force?: boolean }): Promise<{ built: true; path: string } | { built: false; reason: string }>;
}

/** Go, which builds the native client. */
export function goInstalled(): Requirement {
  return command('go', 'apt-get install golang-go (the native tessera client is built with Go)');
}

/** Builds the native client when it is missing or older than its sources; resolves with its path. */
export async function ensureNativeClient(): Promise<string> {
  const { buildNative } = (await import(join(REPO_ROOT, 'cli', 'native', 'build.mjs'))) as NativeBuild;
  const result = await buildNative(REPO_ROOT);
  if (!result.built) throw new Error(`the native tessera client was not built: ${result.reason}`);
  return result.path;
}
