/**
 * `npm start`: build and launch the Electron app, or browser mode where Electron cannot run.
 *
 * The `electron` package downloads its binary on first `require`; that happens in a child process
 * with its output captured, so a machine without the binary (and without network) gets exactly one
 * line saying so, then browser mode.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron executable, or why there is none. */
export function resolveElectron(): { readonly path: string } | { readonly missing: string } {
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(String(require('electron')))"], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  const path = probe.status === 0 ? probe.stdout.trim() : '';
  if (!path) return { missing: 'the electron package could not provide its binary (not downloaded and not downloadable here)' };
  if (!existsSync(path)) return { missing: `${path} does not exist` };
  return { path };
}

function run(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolveCode) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    child.once('error', () => resolveCode(1));
    child.once('exit', (code) => resolveCode(code ?? 1));
  });
}

async function main(): Promise<void> {
  const electron = resolveElectron();
  if ('missing' in electron) {
    console.log(`Electron is not available (${electron.missing}): starting browser mode instead.`);
    const { runBrowserMode } = await import('../main/browser-host/run');
    await runBrowserMode(process.argv.slice(2));
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = await run(npm, ['run', '--silent', 'build']);
  if (built !== 0) process.exit(built);
  process.exit(await run(electron.path, ['.', ...process.argv.slice(2)]));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
