/**
 * Browser mode, composed: the app core (same services as the desktop app) behind the HTTP host.
 *
 * Tokens stay in memory unless `persistTokens` is set, and then only encrypted with a key file
 * (`KeyFileCipher`, mode 0600). Settings, profiles and account names (no secrets) live in a JSON
 * file in `dataDir` (written by `conf`). Sign-in always uses the system browser with a loopback redirect.
 *
 * One owner per data folder: browser mode takes the data-folder lock before it opens any store,
 * publishes its URL in it once listening, and frees it on `close`. A second host on the same folder
 * gets an `InstanceError` (`data_folder_in_use`) naming the first one's URL, and writes nothing.
 */
import { join } from 'node:path';
import type { ProviderProfile } from '../../preload/contract';
import type { Bridge, BridgeOptions } from '../bridge';
import { BridgeApi, composeAppApi } from '../bridge/bridge-api';
import { CommandLineToolInstaller } from '../bridge/command-line-tool';
import { observeViewers, startBridgeInHost } from '../bridge/host-wiring';
import { LoopbackBroker } from '../brokers/loopback-broker';
import type { ClipboardAdapter } from '../clipboard/clipboard';
import { KeyFileCipher } from '../persistence/key-file-cipher';
import { claimDataFolder, type DataFolderLock } from '../instance/data-folder-lock';
import { InstanceError } from '../instance/errors';
import { ConfStore } from '../persistence/settings-store';
import { createAppCore, type AppCore, type AppCoreDeps } from '../services/app-core';
import { MemoryOnlyCipher } from './memory-only-cipher';
import { startBrowserHost, type BrowserHost, type BrowserHostOptions } from './server';
import { CommandClipboard } from './system-clipboard';

/** The local demo provider (a source checkout's test identity provider). */
export interface DemoProvider {
  /** The ready profile (id, preset and builtIn are set by the core). */
  readonly profile: AppCoreDeps['demoProfile'] & object;
  /** `https://localhost:<port>`: profiles whose authority starts here trust `caPath`. */
  readonly origin: string;
  /** The provider's CA certificate (PEM file). */
  readonly caPath: string;
  /** Entra instance discovery endpoint of the demo provider, for Entra-kind profiles on it. */
  readonly instanceDiscoveryUrl?: string;
}

/** Options of {@link startBrowserMode}. */
export interface BrowserModeOptions {
  readonly version: string;
  /** The built renderer. */
  readonly staticDir: string;
  /** Where settings (and, with `persistTokens`, the encrypted cache and its key) live. */
  readonly dataDir: string;
  readonly port?: number;
  /** Keep tokens on disk, AES-GCM encrypted with a key file. Default: memory only. */
  readonly persistTokens?: boolean;
  /** Where copied tokens go. Default: the system clipboard through its commands. Tests pass a `RecordingClipboard`. */
  readonly clipboard?: ClipboardAdapter;
  /** Opens the sign-in page. */
  readonly openExternal: (url: string) => Promise<void> | void;
  readonly demo?: DemoProvider;
  readonly signInTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Told about every refused request (see `BrowserHostOptions.onRefused`). */
  readonly onRefused?: BrowserHostOptions['onRefused'];
  /**
   * The data-folder lock, when the caller took it already (`run.ts` does, before it starts the
   * demo provider). Otherwise it is taken here; either way `close` frees it.
   */
  readonly lock?: DataFolderLock;
  /** Serve the token bridge (the `tessera` command) on its local socket; off unless given. */
  readonly bridge?: Pick<BridgeOptions, 'env' | 'endpoint' | 'lifetimes' | 'limits'>;
  /**
   * "Install command-line tool": the bundled command the launcher runs and where the launcher goes
   * (see `CommandLineToolInstaller`). Default binDir: `~/.local/bin`. Without it, installing is refused.
   */
  readonly commandLineTool?: { readonly script: string; readonly native?: string; readonly binDir?: string };
}

/** Browser mode, running. */
export interface BrowserMode {
  readonly host: BrowserHost;
  readonly core: AppCore;
  /** The token bridge, when it was asked for and could start. */
  readonly bridge?: Bridge;
  /** Stops the host, then the core (which clears our clipboard contents). */
  close(): Promise<void>;
}

function servedBy(profile: ProviderProfile, origin: string): boolean {
  try {
    return new URL(profile.authority).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/** Builds the core and starts the host on 127.0.0.1. */
export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const lock = options.lock ?? claimLock(options.dataDir, options.log);
  try {
    const mode = await startOwned(options);
    if (lock) lock.publish({ app: 'browser-mode', url: mode.host.url });
    return {
      ...mode,
      async close() {
        try {
          await mode.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** Takes the lock of `dataDir`: throws when another instance owns it, `undefined` when it cannot be locked (read-only disk). */
export function claimLock(dataDir: string, log?: (line: string) => void): DataFolderLock | undefined {
  const claim = claimDataFolder(dataDir, { app: 'browser-mode' });
  if (claim.kind === 'held') throw new InstanceError(dataDir, claim.holder, claim.verdict);
  if (claim.kind === 'unavailable') {
    // Nothing can be written there either; the stores say so. Starting beats refusing to.
    log?.(`data folder not lockable: ${claim.problem.code}`);
    return undefined;
  }
  if (claim.recovered) log?.(`recovered the data-folder lock of a crashed instance (process ${claim.recovered.pid})`);
  if (claim.removedTempFiles.length > 0) log?.(`removed ${claim.removedTempFiles.length} temp file(s) of interrupted writes`);
  return claim.lock;
}

async function startOwned(options: BrowserModeOptions): Promise<BrowserMode> {
  const settingsStore = new ConfStore(join(options.dataDir, 'settings.json'));
  const cipher = options.persistTokens ? new KeyFileCipher(join(options.dataDir, 'token-cache.key')) : new MemoryOnlyCipher();
  const brokers: LoopbackBroker[] = [];
  const demo = options.demo;
  const core = await createAppCore({
    mode: 'browser',
    version: options.version,
    settingsStore,
    cacheStorage: {
      cipher,
      // The cache gets its own file so settings stay readable and diff-able.
      store: options.persistTokens ? new ConfStore(join(options.dataDir, 'token-cache.json')) : settingsStore,
      backupDir: join(options.dataDir, 'backups'),
    },
    clipboard: options.clipboard ?? new CommandClipboard(),
    brokers: {
      systemBrowser: () => {
        const broker = new LoopbackBroker({ openExternal: options.openExternal });
        brokers.push(broker);
        return broker;
      },
    },
    ...(demo
      ? {
          demoProfile: demo.profile,
          verifyFor: (profile: ProviderProfile) => (servedBy(profile, demo.origin) ? demo.caPath : undefined),
          instanceDiscoveryFor: (profile: ProviderProfile) => (servedBy(profile, demo.origin) ? demo.instanceDiscoveryUrl : undefined),
        }
      : {}),
    ...(options.signInTimeoutMs ? { signInTimeoutMs: options.signInTimeoutMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  let host: BrowserHost;
  const bridgeApi = new BridgeApi(
    new CommandLineToolInstaller({
      ...(options.commandLineTool?.script ? { script: options.commandLineTool.script } : {}),
      ...(options.commandLineTool?.native ? { native: options.commandLineTool.native } : {}),
      ...(options.commandLineTool?.binDir ? { binDir: options.commandLineTool.binDir } : {}),
      ...(options.bridge?.env ? { env: options.bridge.env } : {}),
    }),
  );
  if (!options.bridge) bridgeApi.detach('Browser mode was started without the token bridge.');
  // Counts the pages listening, so the bridge can tell a caller whether a prompt will be seen.
  const observed = observeViewers(composeAppApi(core, bridgeApi));
  try {
    host = await startBrowserHost({
      core: observed,
      staticDir: options.staticDir,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.onRefused ? { onRefused: options.onRefused } : {}),
      ...(options.log ? { onUnexpectedError: (method: string, error: unknown) => options.log?.(`${method} failed: ${error instanceof Error ? error.name : 'error'}`) } : {}),
    });
  } catch (error) {
    await core.dispose();
    throw error;
  }
  const bridge = options.bridge
    ? await startBridgeInHost({
        ...options.bridge,
        core,
        settingsStore,
        dataDir: options.dataDir,
        approvals: { uiOpen: () => observed.viewers() > 0, where: `the Tessera page at ${host.origin}` },
        ...(options.log ? { log: options.log } : {}),
        onUnavailable: (reason) => bridgeApi.detach(reason),
      })
    : undefined;
  if (bridge) bridgeApi.attach(bridge);
  return {
    host,
    core,
    ...(bridge ? { bridge } : {}),
    async close() {
      await bridge?.close();
      await host.close();
      await core.dispose();
      await Promise.all(brokers.map((broker) => broker.dispose()));
    },
  };
}
