/**
 * The bridge's requests, served: `status`, `accounts` and `token` — account choice, consent, the
 * hand-out and the activity log — plus what the app's UI asks of the bridge (answer a prompt, list
 * and revoke standing rules, list activity, choose the default account).
 */
import type { AccountView, ErrorCode, ProviderProfile } from '../../preload/contract';
import type { KeyValueStore } from '../persistence/settings-store';
import { ActivityLog } from './activity-log';
import type { ChannelHandler, RequestContext } from './channel-server';
import type { ConsentEngine } from './consent';
import type { ActivityEntry, ConsentChoice, ConsentEvent, ConsentPrompt, StandingRule } from './consent-types';
import { BridgeError } from './errors';
import type { AccountSummary, BridgeRequest, CallerInfo, StatusValue, TokenParams, TokenValue } from './protocol';
import { acquireForBridge, type BridgeCore } from './token-source';

/** The settings-store key of the account `tessera token` uses when none is named. */
export const DEFAULT_ACCOUNT_KEY = 'bridgeDefaultAccount';

/** Where people approve requests, as the host knows it. */
export interface Approvals {
  /** Whether a window or page is open to show the prompt now. */
  uiOpen(): boolean;
  /** e.g. "the Tessera window", "the Tessera page at http://127.0.0.1:PORT". */
  readonly where: string;
  /** Called when a prompt appears (Electron shows the window or a notification). */
  onPrompt?(prompt: ConsentPrompt): void;
}

/** Options of {@link BridgeService}. */
export interface BridgeServiceOptions {
  readonly core: BridgeCore;
  readonly consent: ConsentEngine;
  readonly settingsStore: KeyValueStore;
  readonly approvals: Approvals;
  /** The socket path (for `status`). */
  readonly endpointPath: string;
  readonly activity?: ActivityLog;
  readonly now?: () => number;
}

/** Serves the channel and the UI's bridge operations. */
export class BridgeService implements ChannelHandler {
  readonly #core: BridgeCore;
  readonly #consent: ConsentEngine;
  readonly #store: KeyValueStore;
  readonly #approvals: Approvals;
  readonly #endpointPath: string;
  readonly #activity: ActivityLog;
  readonly #now: () => number;
  readonly #listeners = new Set<(event: ConsentEvent) => void>();
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: BridgeServiceOptions) {
    this.#core = options.core;
    this.#consent = options.consent;
    this.#store = options.settingsStore;
    this.#approvals = options.approvals;
    this.#endpointPath = options.endpointPath;
    this.#activity = options.activity ?? new ActivityLog();
    this.#now = options.now ?? Date.now;
    this.#unsubscribe.push(
      this.#consent.subscribe((event) => {
        if (event.type === 'consent-requested') this.#approvals.onPrompt?.(event.prompt);
        this.#emit(event);
      }),
      // A removed account takes its standing rules and sessions with it.
      this.#core.subscribe((event) => {
        if (event.type !== 'accounts-changed') return;
        const ids = new Set(event.accounts.map((account) => account.id));
        for (const rule of this.#consent.standingRules()) if (!ids.has(rule.accountId)) this.#consent.forgetAccount(rule.accountId);
        const chosen = this.#store.get(DEFAULT_ACCOUNT_KEY);
        if (typeof chosen === 'string' && !ids.has(chosen)) this.#store.delete(DEFAULT_ACCOUNT_KEY);
      }),
    );
  }

  /** Pushes for the UI (prompts, rules, activity); returns the unsubscribe function. */
  subscribe(listener: (event: ConsentEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---------------------------------------------------------------------------------------------
  // The channel

  async handle(request: BridgeRequest, context: RequestContext): Promise<unknown> {
    switch (request.method) {
      case 'status':
        return this.#status();
      case 'accounts':
        return this.#accounts();
      case 'token':
        return this.#token(request.params, request.caller, context);
    }
  }

  async #status(): Promise<StatusValue> {
    const [info, storage, accounts] = await Promise.all([this.#core.getAppInfo(), this.#core.getStorageStatus(), this.#core.listAccounts()]);
    const chosen = this.#defaultAccount(accounts);
    return {
      app: 'Tessera',
      version: info.version,
      mode: info.mode,
      pid: process.pid,
      endpoint: this.#endpointPath,
      storage: { mode: storage.mode, backend: storage.backend, ...(storage.reason ? { reason: storage.reason } : {}) },
      approvals: { uiOpen: this.#approvals.uiOpen(), where: this.#approvals.where },
      accounts: accounts.length,
      ...(chosen ? { defaultAccount: chosen.username } : {}),
    };
  }

  async #accounts(): Promise<AccountSummary[]> {
    const accounts = await this.#core.listAccounts();
    const chosen = this.#defaultAccount(accounts);
    return accounts.map((account) => ({
      id: account.id,
      username: account.username,
      profileId: account.profileId,
      profileName: account.profileName,
      status: account.status.kind,
      ...(account.status.kind === 'valid' ? { expiresOn: account.status.expiresOn } : {}),
      isDefault: account.id === chosen?.id,
    }));
  }

  async #token(params: TokenParams, caller: CallerInfo, context: RequestContext): Promise<TokenValue> {
    const [accounts, profiles] = await Promise.all([this.#core.listAccounts(), this.#core.listProfiles()]);
    const account = this.#resolveAccount(accounts, profiles, params.account);
    const profile = profiles.find((candidate) => candidate.id === account.profileId);
    const requested = [...(params.scopes ?? []), ...(params.resource ? [resourceScope(params.resource)] : [])];
    const scopes = requested.length > 0 ? [...new Set(requested)] : [...(profile?.defaultScopes ?? [])];
    const needsSignIn = account.status.kind === 'needs-sign-in';
    if (needsSignIn && !params.interactive) throw signInNeeded(account);

    try {
      const basis = await this.#consent.authorize(
        { caller, accountId: account.id, username: account.username, profileName: account.profileName, scopes, integration: caller.integration },
        {
          signal: context.signal,
          onWaiting: () =>
            context.notify({
              kind: 'waiting-for-approval',
              message: this.#approvals.uiOpen()
                ? `Approve this request in ${this.#approvals.where}. Waiting…`
                : `Tessera has no window open: open ${this.#approvals.where} to approve this request. Waiting…`,
            }),
        },
      );
      if (needsSignIn) await this.#signIn(account, context);
      const options = {
        ...(requested.length > 0 ? { scopes } : {}),
        ...(params.minValidSeconds !== undefined ? { minValidSeconds: params.minValidSeconds } : {}),
        ...(params.forceRefresh ? { forceRefresh: true } : {}),
        ...(params.withIdToken ? { withIdToken: true } : {}),
      };
      let grant;
      try {
        grant = await acquireForBridge(this.#core, account.id, options);
      } catch (error) {
        // The refresh token died just now: sign in when asked to, else say so with the right code.
        if (codeOf(error) !== 'needs_sign_in') throw error;
        if (!params.interactive) throw signInNeeded(account);
        await this.#signIn(account, context);
        grant = await acquireForBridge(this.#core, account.id, options);
      }
      this.#record({ outcome: 'handed-out', caller, account, scopes: grant.scopes, basis, expiresOn: grant.expiresOn });
      return {
        accessToken: grant.accessToken,
        tokenType: grant.tokenType,
        expiresOn: grant.expiresOn,
        scopes: grant.scopes,
        account: {
          id: account.id,
          username: account.username,
          profileName: account.profileName,
          // For OIDC accounts `tenant` is the issuer's host, not a tenant: only Entra's is passed on.
          ...(account.providerKind === 'entra' && account.tenant ? { tenant: account.tenant } : {}),
        },
        ...(grant.idToken ? { idToken: grant.idToken } : {}),
      };
    } catch (error) {
      const code = codeOf(error);
      if (code === 'consent_denied' || code === 'no_standing_rule' || code === 'consent_timeout') this.#record({ outcome: 'denied', caller, account, scopes, code });
      throw error;
    }
  }

  async #signIn(account: AccountView, context: RequestContext): Promise<void> {
    context.notify({
      kind: 'waiting-for-sign-in',
      message: `${account.username} must sign in again: Tessera opened the sign-in${this.#approvals.uiOpen() ? '' : ` (see ${this.#approvals.where})`}. Waiting…`,
    });
    await this.#core.reauthenticate(account.id);
  }

  #record(input: {
    outcome: ActivityEntry['outcome'];
    caller: CallerInfo;
    account: AccountView;
    scopes: readonly string[];
    basis?: ActivityEntry['basis'];
    expiresOn?: number;
    code?: ErrorCode;
  }): void {
    const { caller } = input;
    const entry = this.#activity.add({
      at: this.#now(),
      outcome: input.outcome,
      caller: {
        program: caller.program,
        ...(caller.parentProgram ? { parentProgram: caller.parentProgram } : {}),
        ...(caller.tty ? { tty: caller.tty } : {}),
        ...(caller.cwd ? { cwd: caller.cwd } : {}),
        ...(caller.pid !== undefined ? { pid: caller.pid } : {}),
      },
      accountId: input.account.id,
      username: input.account.username,
      scopes: [...input.scopes],
      integration: caller.integration,
      ...(input.basis ? { basis: input.basis } : {}),
      ...(input.expiresOn !== undefined ? { expiresOn: input.expiresOn } : {}),
      ...(input.code ? { code: input.code } : {}),
    });
    this.#emit({ type: 'activity-added', entry });
  }

  /**
   * The account an `ACCOUNT` argument names: an account id, a username, or `profile:username`
   * (profile id or name); without one, the default account (or the only one).
   */
  #resolveAccount(accounts: readonly AccountView[], profiles: readonly ProviderProfile[], name: string | undefined): AccountView {
    if (accounts.length === 0) throw new BridgeError('not_found', 'Tessera has no accounts yet. Add one in the Tessera window first.');
    if (name === undefined) {
      const chosen = this.#defaultAccount(accounts);
      if (chosen) return chosen;
      throw new BridgeError(
        'no_default_account',
        `Name an account (${accounts.slice(0, 3).map((account) => account.username).join(', ')}${accounts.length > 3 ? ', …' : ''}) or choose a default account in Tessera's settings.`,
      );
    }
    const byId = accounts.find((account) => account.id === name);
    if (byId) return byId;
    const lower = name.toLowerCase();
    let matches = accounts.filter((account) => account.username.toLowerCase() === lower);
    if (matches.length === 0) {
      const colon = name.indexOf(':');
      if (colon > 0) {
        const profilePart = name.slice(0, colon).toLowerCase();
        const userPart = name.slice(colon + 1).toLowerCase();
        const profileIds = new Set(profiles.filter((profile) => profile.id.toLowerCase() === profilePart || profile.name.toLowerCase() === profilePart).map((profile) => profile.id));
        matches = accounts.filter((account) => profileIds.has(account.profileId) && account.username.toLowerCase() === userPart);
      }
    }
    if (matches.length === 1) return matches[0] as AccountView;
    if (matches.length > 1) {
      throw new BridgeError(
        'account_ambiguous',
        `${name} is signed in with ${matches.length} profiles; name one as profile:username, e.g. ${matches.map((account) => `"${account.profileName}:${account.username}"`).join(' or ')}.`,
      );
    }
    throw new BridgeError('not_found', `No account "${name.slice(0, 80)}" in Tessera. List them with: tessera accounts`);
  }

  #defaultAccount(accounts: readonly AccountView[]): AccountView | undefined {
    const chosen = this.#store.get(DEFAULT_ACCOUNT_KEY);
    const found = typeof chosen === 'string' ? accounts.find((account) => account.id === chosen) : undefined;
    if (found) return found;
    return accounts.length === 1 ? accounts[0] : undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // The UI's operations

  /** Prompts waiting for an answer. */
  listConsentPrompts(): readonly ConsentPrompt[] {
    return this.#consent.pending();
  }

  /** Answers a prompt. */
  answerConsent(promptId: string, choice: ConsentChoice): void {
    this.#consent.answer(promptId, choice);
  }

  listStandingRules(): readonly StandingRule[] {
    return this.#consent.standingRules();
  }

  revokeStandingRule(ruleId: string): void {
    this.#consent.revokeStandingRule(ruleId);
  }

  /** The activity log, newest first. */
  listActivity(limit?: number): readonly ActivityEntry[] {
    return this.#activity.list(limit);
  }

  /** The chosen default account id, if any (not the implicit only account). */
  getDefaultAccount(): string | null {
    const chosen = this.#store.get(DEFAULT_ACCOUNT_KEY);
    return typeof chosen === 'string' ? chosen : null;
  }

  /** Chooses the default account (null clears the choice). */
  async setDefaultAccount(accountId: string | null): Promise<void> {
    if (accountId === null) {
      this.#store.delete(DEFAULT_ACCOUNT_KEY);
      return;
    }
    const accounts = await this.#core.listAccounts();
    if (!accounts.some((account) => account.id === accountId)) throw new BridgeError('not_found', 'This account no longer exists.');
    this.#store.set(DEFAULT_ACCOUNT_KEY, accountId);
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#consent.dispose();
    this.#listeners.clear();
  }

  #emit(event: ConsentEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }
}

/** `<resource>/.default`: the v2 way to ask for a resource's permissions (Entra). */
function resourceScope(resource: string): string {
  return `${resource.replace(/\/+$/, '')}/.default`;
}

function signInNeeded(account: AccountView): BridgeError {
  return new BridgeError('needs_sign_in', `${account.username} must sign in again: use "Sign in again" in Tessera, or run with --interactive.`);
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
