/**
 * The token bridge, composed: the consent engine, the service and the local channel, for one
 * running app (the Electron main process or the browser-mode host).
 */
import { join } from 'node:path';
import type { KeyValueStore } from '../persistence/settings-store';
import { ActivityLog } from './activity-log';
import { BridgeService, type Approvals } from './bridge-service';
import { startChannelServer, type ChannelServer, type ChannelServerOptions } from './channel-server';
import { ConsentEngine, type ConsentEngineOptions } from './consent';
import { hostEndpoint, type Endpoint } from './endpoint';
import type { BridgeCore } from './token-source';

export { BridgeService, DEFAULT_ACCOUNT_KEY, type Approvals } from './bridge-service';
export type { ActivityEntry, ConsentChoice, ConsentEvent, ConsentPrompt, GrantBasis, StandingRule } from './consent-types';
export { CONSENT_DEFAULTS } from './consent';

/** Options of {@link startBridge}. */
export interface BridgeOptions {
  readonly core: BridgeCore;
  /** The settings store (standing rules and the default account live there, no secrets). */
  readonly settingsStore: KeyValueStore;
  /** The app's data folder (the socket's folder when there is no `XDG_RUNTIME_DIR`). */
  readonly dataDir: string;
  readonly approvals: Approvals;
  /** Defaults to {@link hostEndpoint} for `dataDir` and the process environment. */
  readonly endpoint?: Endpoint;
  readonly env?: NodeJS.ProcessEnv;
  readonly lifetimes?: ConsentEngineOptions['lifetimes'];
  readonly timers?: ConsentEngineOptions['timers'];
  readonly now?: () => number;
  readonly limits?: ChannelServerOptions['limits'];
  /** Diagnostics (codes only, never a token). */
  readonly log?: (line: string) => void;
}

/** A running bridge. */
export interface Bridge {
  readonly service: BridgeService;
  readonly server: ChannelServer;
  /** Stops the channel, withdraws prompts and ends terminal sessions. */
  close(): Promise<void>;
}

/** Starts the bridge; throws when the endpoint is unsafe or served by another instance. */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const endpoint = options.endpoint ?? hostEndpoint({ dataDir: options.dataDir, ...(options.env ? { env: options.env } : {}) });
  const consent = new ConsentEngine({
    store: options.settingsStore,
    ...(options.now ? { now: options.now } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.lifetimes ? { lifetimes: options.lifetimes } : {}),
  });
  const activity = new ActivityLog({ file: join(options.dataDir, 'activity.jsonl'), onWriteError: (error) => options.log?.(`activity log not saved: ${(error as { code?: string }).code ?? 'error'}`) });
  const service = new BridgeService({
    core: options.core,
    consent,
    settingsStore: options.settingsStore,
    approvals: options.approvals,
    endpointPath: endpoint.path,
    activity,
    ...(options.now ? { now: options.now } : {}),
  });
  let server: ChannelServer;
  try {
    server = await startChannelServer({
      endpoint,
      handler: service,
      ...(options.limits ? { limits: options.limits } : {}),
      onRefused: (code) => options.log?.(`bridge refused a request: ${code}`),
      onUnexpectedError: (error) => options.log?.(`bridge request failed: ${error instanceof Error ? error.name : 'error'}`),
    });
  } catch (error) {
    service.dispose();
    throw error;
  }
  return {
    service,
    server,
    async close() {
      service.dispose();
      await server.close();
      // Last: the refusals of withdrawn prompts are logged too, after the writes already under way.
      await activity.settled();
    },
  };
}
