/**
 * Starting the bridge inside a host (browser mode, the Electron main process) without letting it
 * stop the host: a bridge that cannot start (unsafe folder, another instance on the socket) is
 * logged and left out, and the app runs as before.
 */
import type { AppEvent } from '../../preload/contract';
import type { KeyValueStore } from '../persistence/settings-store';
import { startBridge, type Bridge, type BridgeOptions } from './index';
import type { BridgeCore } from './token-source';

/** A core whose pushes are counted, so the bridge knows whether a UI is listening. */
export interface ObservedCore {
  /** Subscribe as the UI does; counted while subscribed. */
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** UI listeners subscribed right now. */
  viewers(): number;
}

/**
 * Wraps `subscribe` to count the UI's listeners (an open page's event stream, a window).
 *
 * A proxy, so every other method still runs on the core itself (its private fields need that).
 */
export function observeViewers<C extends { subscribe(listener: (event: AppEvent) => void): () => void }>(core: C): C & ObservedCore {
  let viewers = 0;
  const subscribe = (listener: (event: AppEvent) => void): (() => void) => {
    viewers += 1;
    const unsubscribe = core.subscribe(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      viewers -= 1;
      unsubscribe();
    };
  };
  return new Proxy(core, {
    get(target, property) {
      if (property === 'subscribe') return subscribe;
      if (property === 'viewers') return () => viewers;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as C & ObservedCore;
}

/** Options of {@link startBridgeInHost}. */
export interface HostBridgeOptions extends Omit<BridgeOptions, 'core' | 'settingsStore' | 'dataDir'> {
  readonly core: BridgeCore;
  readonly settingsStore: KeyValueStore;
  readonly dataDir: string;
  /** Told why the bridge could not start, in plain words (Settings shows it). */
  readonly onUnavailable?: (reason: string) => void;
}

/** Starts the bridge, or logs why not and resolves with `undefined`. */
export async function startBridgeInHost(options: HostBridgeOptions): Promise<Bridge | undefined> {
  try {
    const bridge = await startBridge(options);
    options.log?.(`token bridge listening on ${bridge.server.endpoint.path}`);
    return bridge;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.log?.(`token bridge not started: ${message}`);
    options.onUnavailable?.(`It could not start: ${message}`);
    return undefined;
  }
}
