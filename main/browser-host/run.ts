/**
 * `npm run start:browser`: build the renderer if needed, start browser mode, print the one URL.
 *
 * From a source checkout it also starts the local demo provider (the test identity provider, on
 * loopback) and offers it as the ready `demo` profile. The demo code is loaded by path at run
 * time, so nothing of it is bundled into a packaged build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commandLineToolFiles } from '../bridge/command-line-tool';
import { handOverText, InstanceError } from '../instance/errors';
import { claimLock, startBrowserMode, type DemoProvider } from './browser-mode';
import { buildRenderer, rendererBuildIsStale } from './build-renderer';
import { openAppUrl } from './open-app-url';
import { createOpenExternal } from './open-external';
import { startupBanner, usage } from './startup-banner';

/** Command-line options of browser mode. */
export interface BrowserModeArgs {
  readonly port?: number;
  readonly dataDir?: string;
  readonly persistTokens: boolean;
  readonly demo: boolean;
  /** Open the page in a browser once it is up (`--no-open` turns it off). */
  readonly open: boolean;
  readonly help: boolean;
}

/** Parses `--port N`, `--data-dir DIR`, `--persist-tokens`, `--no-demo`, `--no-open`, `--help`. */
export function parseBrowserModeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BrowserModeArgs {
  let port = env.TESSERA_PORT ? Number(env.TESSERA_PORT) : undefined;
  let dataDir: string | undefined;
  let persistTokens = false;
  let demo = true;
  let open = true;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--port' && value) {
      port = Number(value);
      i += 1;
    } else if (arg === '--data-dir' && value) {
      dataDir = value;
      i += 1;
    } else if (arg === '--persist-tokens') persistTokens = true;
    else if (arg === '--no-demo') demo = false;
    else if (arg === '--no-open') open = false;
    else if (arg === '--help' || arg === '-h') help = true;
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error('--port must be a number between 0 and 65535.');
  return { ...(port !== undefined ? { port } : {}), ...(dataDir ? { dataDir } : {}), persistTokens, demo, open, help };
}

/** The per-user folder of browser mode's settings. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Tessera', 'browser-mode');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tessera', 'browser-mode');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'tessera', 'browser-mode');
}

/** The repository (or app) root: two levels above this file. */
export function appRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

interface DemoIdp {
  readonly origin: string;
  readonly oidcIssuer: string;
  readonly caPath: string;
  readonly instanceDiscoveryUrl: string;
  stop(): Promise<void>;
}

async function startDemoProvider(root: string): Promise<{ demo: DemoProvider; stop: () => Promise<void>; user?: { username: string; password: string } } | undefined> {
  const entry = join(root, 'test', 'support', 'idp', 'index.ts');
  if (!existsSync(entry)) return undefined;
  const module = (await import(pathToFileURL(entry).href)) as {
    startTestIdp: () => Promise<DemoIdp>;
    PUBLIC_CLIENT_ID: string;
    DEMO_API_SCOPES: readonly string[];
    DEFAULT_USERS?: readonly { readonly username: string; readonly password: string }[];
  };
  const idp = await module.startTestIdp();
  return {
    demo: {
      profile: {
        name: 'Local demo provider',
        kind: 'oidc',
        clientId: module.PUBLIC_CLIENT_ID,
        authority: idp.oidcIssuer,
        defaultScopes: [module.DEMO_API_SCOPES[0] ?? 'api://tessera-demo/read'],
        signInMethod: 'system-browser',
      },
      origin: idp.origin,
      caPath: idp.caPath,
      instanceDiscoveryUrl: idp.instanceDiscoveryUrl,
    },
    stop: () => idp.stop(),
    ...(module.DEFAULT_USERS?.[0] ? { user: { username: module.DEFAULT_USERS[0].username, password: module.DEFAULT_USERS[0].password } } : {}),
  };
}

/** Exit status of a second start on a data folder that another running Tessera owns. */
export const EXIT_DATA_FOLDER_IN_USE = 3;

/**
 * Starts browser mode and serves until SIGINT/SIGTERM.
 *
 * The data-folder lock is taken first, before anything else starts: when another Tessera owns
 * the folder, this prints how to reach it and sets exit status {@link EXIT_DATA_FOLDER_IN_USE}
 * without building, starting or writing anything. `command` is how options reach it (for the
 * printed hints and `--help`).
 */
export async function runBrowserMode(argv: readonly string[], print: (line: string) => void = (line) => console.log(line), command?: string): Promise<void> {
  const args = parseBrowserModeArgs(argv);
  if (args.help) {
    print(usage(command));
    return;
  }
  const dataDir = args.dataDir ?? defaultDataDir();
  let lock;
  try {
    lock = claimLock(dataDir, print);
  } catch (error) {
    if (!(error instanceof InstanceError)) throw error;
    print(handOverText(error));
    process.exitCode = EXIT_DATA_FOLDER_IN_USE;
    return;
  }
  const root = appRoot();
  let demo: Awaited<ReturnType<typeof startDemoProvider>>;
  let mode;
  try {
    if (rendererBuildIsStale(root)) await buildRenderer(root);
    demo = args.demo ? await startDemoProvider(root) : undefined;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  try {
    mode = await startBrowserMode({
      version,
      staticDir: join(root, 'dist', 'renderer'),
      dataDir,
      ...(lock ? { lock } : {}),
      persistTokens: args.persistTokens,
      openExternal: createOpenExternal(print),
      ...(args.port !== undefined ? { port: args.port } : {}),
      ...(demo ? { demo: demo.demo } : {}),
      // The `tessera` command's local socket (main/bridge); a failure to start it is only logged.
      bridge: {},
      commandLineTool: commandLineToolFiles(root),
      log: (line) => {
        if (line.startsWith('token bridge')) print(line);
      },
    });
  } catch (error) {
    await demo?.stop();
    throw error;
  }
  // Issue 9: open the page where a browser can be opened, and say what a newcomer needs to know.
  const opened = args.open ? await openAppUrl(mode.host.url) : undefined;
  for (const line of startupBanner({
    url: mode.host.url,
    port: mode.host.port,
    ...(opened ? { opened } : {}),
    ...(demo?.user ? { demoUser: demo.user } : {}),
    ...(args.persistTokens ? { persisted: { cacheFile: join(dataDir, 'token-cache.json'), keyFile: join(dataDir, 'token-cache.key') } } : {}),
    ...(command ? { command } : {}),
  })) {
    print(line);
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void mode
      .close()
      .then(() => demo?.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
