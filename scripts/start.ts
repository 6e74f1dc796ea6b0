/**
 * `npm start`: build and launch the Electron app, or browser mode where Electron cannot run.
 *
 * The `electron` package downloads its binary on first `require` and waits as long as the network
 * lets it; where the network hangs that was minutes of silence. So the decision is made here in a
 * few seconds, without requiring the package: a binary already on disk is used; otherwise one short
 * request asks whether Electron's download server answers at all, and only then is the binary
 * downloaded (with its progress shown). Anything else starts browser mode at once, with one line
 * saying why.
 *
 * Options npm kept for itself (`npm start --persist-tokens` without the `--`) are recovered from
 * the `npm_config_*` variables npm sets for them, and the right spelling is printed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PROBE_TIMEOUT_MS = 3_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/** What to do about Electron. */
export type ElectronDecision =
  | { readonly kind: 'ready'; readonly path: string }
  | { readonly kind: 'download'; readonly installScript: string; readonly from: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Options of {@link decideElectron}. */
export interface DecideElectronOptions {
  /** The `electron` package folder (default: this checkout's `node_modules/electron`). */
  readonly electronDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** How long the download server may take to answer at all. */
  readonly probeTimeoutMs?: number;
}

/** Where Electron's installer downloads from: `ELECTRON_MIRROR`, else GitHub's releases. */
export function electronDownloadOrigin(env: NodeJS.ProcessEnv = process.env): string {
  const mirror = env.ELECTRON_MIRROR ?? env.npm_config_electron_mirror;
  return mirror && /^https?:\/\//.test(mirror) ? mirror : 'https://github.com/electron/electron/releases/';
}

/** True when `url` answers an HTTP request (any status) within `timeoutMs`. */
export async function answersWithin(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides, in at most about `probeTimeoutMs`, whether the desktop app can start.
 *
 * Mirrors how `electron/index.js` finds its binary (`ELECTRON_OVERRIDE_DIST_PATH`, `path.txt`,
 * `dist/`), without loading it, since loading it starts the download.
 */
export async function decideElectron(options: DecideElectronOptions = {}): Promise<ElectronDecision> {
  const dir = options.electronDir ?? join(ROOT, 'node_modules', 'electron');
  const env = options.env ?? process.env;
  if (!existsSync(join(dir, 'package.json'))) return { kind: 'unavailable', reason: 'the electron package is not installed (run npm install)' };
  const pathFile = join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(path) ? { kind: 'ready', path } : { kind: 'unavailable', reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${relative || 'electron'}` };
  }
  if (relative && existsSync(join(dir, 'dist', relative))) return { kind: 'ready', path: join(dir, 'dist', relative) };
  const installScript = join(dir, 'install.js');
  if (!existsSync(installScript)) return { kind: 'unavailable', reason: 'its binary is missing and the package has no installer' };
  const from = electronDownloadOrigin(env);
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  if (!(await answersWithin(from, timeoutMs))) {
    return { kind: 'unavailable', reason: `its binary is not downloaded and ${new URL(from).host} did not answer within ${Number((timeoutMs / 1000).toFixed(1))} s` };
  }
  return { kind: 'download', installScript, from };
}

/** Our options that npm swallowed, recovered from the `npm_config_*` variables it set for them. */
export function recoverNpmSwallowedArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { readonly args: readonly string[]; readonly recovered: readonly string[] } {
  // Only under `npm start` itself: elsewhere these variables mean nothing to us.
  if (env.npm_lifecycle_event !== 'start') return { args: argv, recovered: [] };
  const args = [...argv];
  const recovered: string[] = [];
  const add = (...flag: string[]): void => {
    if (args.includes(flag[0] as string)) return;
    args.push(...flag);
    recovered.push(flag.join(' '));
  };
  if (env.npm_config_persist_tokens === 'true') add('--persist-tokens');
  // `--no-demo` / `--no-open` arrive as the value "" (false); `--browser` as "true" (npm has its own
  // `browser` setting, which holds a program name, never "true").
  if (env.npm_config_demo === '') add('--no-demo');
  if (env.npm_config_open === '') add('--no-open');
  if (env.npm_config_browser === 'true') add('--browser');
  if (env.npm_config_help === 'true' || env.npm_config_usage === 'true') add('--help');
  // Value options: `--port=8080` arrives whole; `--port 8080` arrives as "true", with the value
  // left behind among the arguments (a number for the port, a path for the folder).
  const leftovers = (): string[] => args.filter((arg) => !arg.startsWith('-'));
  const take = (value: string): string => {
    args.splice(args.indexOf(value), 1);
    return value;
  };
  const port = env.npm_config_port;
  const portLeftover = leftovers().find((arg) => /^\d+$/.test(arg));
  if (port && /^\d+$/.test(port)) add('--port', port);
  else if (port === 'true' && portLeftover) add('--port', take(portLeftover));
  const dataDir = env.npm_config_data_dir;
  const dirLeftover = leftovers().find((arg) => !/^\d+$/.test(arg));
  if (dataDir && dataDir !== 'true') add('--data-dir', dataDir);
  else if (dataDir === 'true' && dirLeftover) add('--data-dir', take(dirLeftover));
  return { args, recovered };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): Promise<number> {
  return new Promise((resolveCode) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env, ...(timeoutMs ? { timeout: timeoutMs } : {}) });
    child.once('error', () => resolveCode(1));
    child.once('exit', (code) => resolveCode(code ?? 1));
  });
}

async function browserMode(args: readonly string[], why: string | undefined): Promise<void> {
  if (why) console.log(`Electron is not available (${why}): starting browser mode instead.`);
  const { runBrowserMode } = await import('../main/browser-host/run');
  try {
    await runBrowserMode(args.filter((arg) => arg !== '--browser'));
  } catch (error) {
    console.error(`Tessera browser mode could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const { args, recovered } = recoverNpmSwallowedArgs(process.argv.slice(2));
  if (recovered.length > 0) {
    console.log(`npm kept ${recovered.join(', ')} for itself; applied anyway. Next time write: npm start -- ${recovered.join(' ')}`);
  }
  if (args.includes('--help') || args.includes('-h')) {
    const { usage } = await import('../main/browser-host/startup-banner');
    console.log(usage());
    return;
  }
  if (args.includes('--browser') || process.env.TESSERA_BROWSER_MODE === '1') return browserMode(args, undefined);

  let electron = await decideElectron();
  if (electron.kind === 'download') {
    console.log(`Downloading the Electron binary from ${new URL(electron.from).host} (once; Ctrl+C and npm start -- --browser to skip)…`);
    const code = await run(process.execPath, [electron.installScript], process.env, DOWNLOAD_TIMEOUT_MS);
    electron = code === 0 ? await decideElectron() : { kind: 'unavailable', reason: 'its download failed' };
    if (electron.kind === 'download') electron = { kind: 'unavailable', reason: 'its download did not produce a binary' };
  }
  if (electron.kind !== 'ready') return browserMode(args, electron.reason);

  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = await run(npm, ['run', '--silent', 'build']);
  if (built !== 0) process.exit(built);
  const demo = args.includes('--no-demo') ? undefined : await startDemoProvider();
  if (demo?.user) console.log(`Demo provider: sign in as ${demo.user.username} / ${demo.user.password}. Quit the app (or Ctrl+C here) to stop.`);
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
async function startDemoProvider(): Promise<{ env: Record<string, string>; stop: () => Promise<void>; user?: { username: string; password: string } } | undefined> {
  const entry = resolve(ROOT, 'test', 'support', 'idp', 'index.ts');
  if (!existsSync(entry)) return undefined;
  const idp = (await import(pathToFileURL(entry).href)) as {
    startTestIdp: () => Promise<DemoServer & { stop: () => Promise<void> }>;
    PUBLIC_WEB_CLIENT_ID: string;
    DEMO_API_SCOPES: readonly string[];
    DEFAULT_USERS?: readonly { readonly username: string; readonly password: string }[];
  };
  const server = await idp.startTestIdp();
  const user = idp.DEFAULT_USERS?.[0];
  return {
    env: demoEnvironment(server, idp.PUBLIC_WEB_CLIENT_ID, idp.DEMO_API_SCOPES.slice(0, 1)),
    stop: () => server.stop(),
    ...(user ? { user: { username: user.username, password: user.password } } : {}),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
