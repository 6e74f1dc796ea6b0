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
import { fileURLToPath, pathToFileURL } from 'node:url';

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

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolveCode) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
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
  const args = process.argv.slice(2);
  const demo = args.includes('--no-demo') ? undefined : await startDemoProvider();
  const code = await run(electron.path, ['.', ...args.filter((a) => a !== '--no-demo')], { ...process.env, ...demo?.env });
  await demo?.stop();
  process.exit(code);
}

/** What the demo provider's server reports about itself (test/support/idp). */
export interface DemoServer {
  readonly oidcIssuer: string;
  readonly caPath: string;
}

/**
 * The environment that makes the Electron app offer the demo provider (see main/launch-options.ts).
 *
 * The embedded window signs in with the provider's web client and its https redirect, which the
 * window catches before it loads.
 */
export function demoEnvironment(server: DemoServer, clientId: string, scopes: readonly string[]): Record<string, string> {
  return {
    TESSERA_DEMO: '1',
    TESSERA_DEMO_ISSUER: server.oidcIssuer,
    TESSERA_DEMO_CA: server.caPath,
    TESSERA_DEMO_CLIENT_ID: clientId,
    TESSERA_DEMO_REDIRECT_URI: 'https://localhost/redirect',
    TESSERA_DEMO_SCOPES: scopes.join(' '),
  };
}

/**
 * Starts the local demo provider from a source checkout, like browser mode does.
 *
 * Loaded by path at run time so a packaged app never contains it.
 */
async function startDemoProvider(): Promise<{ env: Record<string, string>; stop: () => Promise<void> } | undefined> {
  const entry = resolve(ROOT, 'test', 'support', 'idp', 'index.ts');
  if (!existsSync(entry)) return undefined;
  const idp = (await import(pathToFileURL(entry).href)) as {
    startTestIdp: () => Promise<DemoServer & { stop: () => Promise<void> }>;
    PUBLIC_WEB_CLIENT_ID: string;
    DEMO_API_SCOPES: readonly string[];
  };
  const server = await idp.startTestIdp();
  return { env: demoEnvironment(server, idp.PUBLIC_WEB_CLIENT_ID, idp.DEMO_API_SCOPES.slice(0, 1)), stop: () => server.stop() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
