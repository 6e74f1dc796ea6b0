/**
 * Builds a runnable copy of the app in a temp directory: package.json, build resources, the three
 * Vite bundles, the `tessera` command (launcher, bundle and, where Go is installed, the native client), and a link to the checkout's node_modules. Shared by the packaging test and the
 * Electron end-to-end tests, so neither touches the checkout's own `dist/`.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Creates `<parent>/app` with `dist/main`, `dist/preload` and `dist/renderer` built by Vite.
 *
 * The renderer is built when `vite.renderer.config.ts` exists; otherwise a placeholder
 * `index.html` stands in (in the copy only). Returns the app directory.
 */
export async function buildAppCopy(parent: string): Promise<string> {
  const app = join(parent, 'app');
  mkdirSync(join(app, 'dist'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(app, 'package.json'));
  cpSync(join(REPO_ROOT, 'build'), join(app, 'build'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');

  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const viteBuild = (configFile: string, outDir: string) =>
    run(process.execPath, [vite, 'build', '--logLevel', 'warn', '-c', configFile, '--outDir', outDir, '--emptyOutDir'], { cwd: REPO_ROOT });
  const builds = [viteBuild('vite.main.config.ts', join(app, 'dist', 'main')), viteBuild('vite.preload.config.ts', join(app, 'dist', 'preload'))];
  if (existsSync(join(REPO_ROOT, 'vite.renderer.config.ts'))) {
    builds.push(viteBuild('vite.renderer.config.ts', join(app, 'dist', 'renderer')));
  } else {
    mkdirSync(join(app, 'dist', 'renderer'), { recursive: true });
    writeFileSync(join(app, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Tessera</title>\n');
  }
  // The `tessera` command as a packaged app ships it: the launcher and its bundle.
  mkdirSync(join(app, 'cli'), { recursive: true });
  cpSync(join(REPO_ROOT, 'cli', 'tessera.cjs'), join(app, 'cli', 'tessera.cjs'));
  const { buildCli } = (await import(join(REPO_ROOT, 'cli', 'build.mjs'))) as { buildCli(root: string, outDir: string): Promise<string> };
  // The native client where Go is installed (a build without it ships the Node client alone).
  const { buildNative } = (await import(join(REPO_ROOT, 'cli', 'native', 'build.mjs'))) as { buildNative(root: string, options: { outDir: string }): Promise<unknown> };
  await Promise.all([...builds, buildCli(REPO_ROOT, join(app, 'dist', 'cli'))]);
  await buildNative(REPO_ROOT, { outDir: join(app, 'dist', 'cli') });
  return app;
}
