/**
 * The token bridge's operations of the contract (`BridgeMethods`) for the app's UI, and the app's
 * whole API composed from the core's operations and these.
 *
 * The bridge starts after the host whose address it gives callers, so the UI's side is bound to it
 * late ({@link BridgeApi.attach}); until then, and when it could not start, `getBridgeStatus` says
 * why and the other operations fail with `bridge_unavailable`.
 */
import {
  API_METHODS,
  BRIDGE_METHODS,
  type AccountId,
  type ActivityEntry,
  type ApiMethods,
  type AppEvent,
  type BridgeMethods,
  type BridgeStatus,
  type CommandLineTool,
  type ConsentChoice,
  type ConsentPrompt,
  type CoreMethods,
  type StandingRule,
} from '../../preload/contract';
import { AppError } from '../errors';
import type { Bridge } from './index';

/** Something that pushes app events. */
export interface EventSource {
  subscribe(listener: (event: AppEvent) => void): () => void;
}

/** Installs the `tessera` command for the user (see `command-line-tool.ts`). */
export interface CommandLineInstaller {
  status(): CommandLineTool;
  install(): Promise<CommandLineTool>;
}

/** The bridge's side of the app's API. One per app. */
export class BridgeApi implements BridgeMethods, EventSource {
  #bridge: Bridge | undefined;
  #reason = 'The token bridge is starting.';
  readonly #installer: CommandLineInstaller;
  readonly #listeners = new Set<(event: AppEvent) => void>();
  #detach: (() => void) | undefined;

  constructor(installer: CommandLineInstaller) {
    this.#installer = installer;
  }

  /** Serves the UI from `bridge` and forwards its pushes. */
  attach(bridge: Bridge): void {
    this.#detach?.();
    this.#bridge = bridge;
    this.#detach = bridge.service.subscribe((event) => this.#emit(event));
  }

  /** Records why there is no bridge (shown in Settings), and stops forwarding. */
  detach(reason: string): void {
    this.#detach?.();
    this.#detach = undefined;
    this.#bridge = undefined;
    this.#reason = reason;
  }

  subscribe(listener: (event: AppEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async getBridgeStatus(): Promise<BridgeStatus> {
    const bridge = this.#bridge;
    const commandLineTool = this.#installer.status();
    if (!bridge) return { running: false, reason: this.#reason, defaultAccountId: null, commandLineTool };
    return { running: true, endpoint: bridge.server.endpoint.path, defaultAccountId: bridge.service.getDefaultAccount(), commandLineTool };
  }

  async listConsentPrompts(): Promise<readonly ConsentPrompt[]> {
    return this.#bridge?.service.listConsentPrompts() ?? [];
  }

  async answerConsent(promptId: string, choice: ConsentChoice): Promise<void> {
    this.#running().service.answerConsent(promptId, choice);
  }

  async listStandingRules(): Promise<readonly StandingRule[]> {
    return this.#running().service.listStandingRules();
  }

  async revokeStandingRule(ruleId: string): Promise<void> {
    this.#running().service.revokeStandingRule(ruleId);
  }

  async listActivity(): Promise<readonly ActivityEntry[]> {
    return this.#bridge?.service.listActivity() ?? [];
  }

  async setDefaultAccount(accountId: AccountId | null): Promise<void> {
    await this.#running().service.setDefaultAccount(accountId);
  }

  async installCommandLineTool(): Promise<CommandLineTool> {
    return this.#installer.install();
  }

  #running(): Bridge {
    if (this.#bridge) return this.#bridge;
    throw new AppError('bridge_unavailable', `The token bridge is not running, so the tessera command cannot reach Tessera. ${this.#reason}`);
  }

  #emit(event: AppEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }
}

/**
 * The app's API: each bridge operation served by `bridge`, every other by `core`; pushes from
 * both. The core keeps its own object (its private fields need their `this`).
 */
export function composeAppApi(core: CoreMethods & EventSource, bridge: BridgeMethods & EventSource): ApiMethods & EventSource {
  const bridgeNames = new Set<string>(BRIDGE_METHODS);
  const api: Record<string, unknown> = {};
  for (const name of API_METHODS) {
    const owner = (bridgeNames.has(name) ? bridge : core) as unknown as Record<string, (...args: unknown[]) => unknown>;
    const method = owner[name];
    if (typeof method !== 'function') throw new TypeError(`${name} is not implemented`);
    api[name] = method.bind(owner);
  }
  api.subscribe = (listener: (event: AppEvent) => void) => {
    const fromCore = core.subscribe(listener);
    const fromBridge = bridge.subscribe(listener);
    return () => {
      fromCore();
      fromBridge();
    };
  };
  return api as unknown as ApiMethods & EventSource;
}
