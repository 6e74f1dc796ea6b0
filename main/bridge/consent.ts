/**
 * The consent engine: decides whether a caller may have a token, asking a person when no earlier
 * answer covers the request.
 *
 * Answers, after 1Password's desktop-app integration and oidc-agent's `--confirm`:
 * - allow once;
 * - allow this terminal session: the caller's terminal (tty + session) for this account and these
 *   scopes, ended after {@link CONSENT_DEFAULTS}.sessionIdleMs without use, sessionMaxMs at most,
 *   or when the app quits (kept in memory only);
 * - always allow this program for this account and these scopes: a standing rule, persisted;
 * - deny.
 * Callers without a terminal (CI, editors, services) are never prompted: a standing rule allows
 * them, or they get `no_standing_rule` at once, with what to do.
 *
 * What a caller reports about itself (program, parent, terminal, folder) is shown as such: a
 * process of the same user can lie, and the socket's permissions are the only real boundary.
 */
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../persistence/settings-store';
import { StandingRules, scopesCovered } from './consent-rules';
import type { ConsentChoice, ConsentEvent, ConsentPrompt, GrantBasis, StandingRule } from './consent-types';
import { BridgeError } from './errors';
import type { CallerInfo, Integration } from './protocol';

/** Lifetimes of consent (milliseconds). */
export const CONSENT_DEFAULTS = {
  /** A terminal session's approval ends after this long without a hand-out. */
  sessionIdleMs: 10 * 60_000,
  /** …and after this long in any case. */
  sessionMaxMs: 12 * 60 * 60_000,
  /** A prompt nobody answers fails the request after this long. */
  promptTimeoutMs: 5 * 60_000,
} as const;

/** Timer functions (tests pass manual timers). */
export interface ConsentTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link ConsentEngine}. */
export interface ConsentEngineOptions {
  /** Where standing rules are kept (the settings store). */
  readonly store: KeyValueStore;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  readonly timers?: ConsentTimers;
  readonly lifetimes?: Partial<typeof CONSENT_DEFAULTS>;
}

/** What is asked for. */
export interface ConsentQuery {
  readonly caller: CallerInfo;
  readonly accountId: string;
  readonly username: string;
  readonly profileName: string;
  /** The scopes the token will carry (the profile's defaults when the caller named none). */
  readonly scopes: readonly string[];
  readonly integration: Integration;
}

/** Waiting facilities of {@link ConsentEngine.authorize}. */
export interface AuthorizeOptions {
  /** Aborting withdraws the prompt (the caller hung up). */
  readonly signal?: AbortSignal;
  /** Called once when a person must answer (the caller is told where). */
  readonly onWaiting?: (prompt: ConsentPrompt) => void;
}

interface SessionGrant {
  readonly terminal: string;
  readonly accountId: string;
  scopes: readonly string[];
  readonly createdAt: number;
  lastUsedAt: number;
}

interface Pending {
  readonly prompt: ConsentPrompt;
  readonly key: string;
  readonly waiters: Set<{ resolve: (choice: ConsentChoice) => void; reject: (error: unknown) => void }>;
  timer: unknown;
}

const systemTimers: ConsentTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The terminal a caller reported, or undefined when it has none. */
export function terminalOf(caller: CallerInfo): string | undefined {
  return caller.tty ? `${caller.tty}#${caller.terminalSession ?? ''}` : undefined;
}

/** Decides, prompts, remembers. One per app. */
export class ConsentEngine {
  readonly #rules: StandingRules;
  readonly #now: () => number;
  readonly #timers: ConsentTimers;
  readonly #lifetimes: typeof CONSENT_DEFAULTS;
  readonly #sessions: SessionGrant[] = [];
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Set<(event: ConsentEvent) => void>();

  constructor(options: ConsentEngineOptions) {
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? systemTimers;
    this.#lifetimes = { ...CONSENT_DEFAULTS, ...options.lifetimes };
    this.#rules = new StandingRules(options.store, this.#now);
  }

  /** Pushes for the UI; returns the unsubscribe function. */
  subscribe(listener: (event: ConsentEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves with what allowed the request, or rejects with a {@link BridgeError}:
   * `consent_denied`, `no_standing_rule` (no terminal, no rule), `consent_timeout`; or with the
   * signal's reason when the caller hung up.
   */
  async authorize(query: ConsentQuery, options: AuthorizeOptions = {}): Promise<GrantBasis> {
    const rule = this.#rules.find(query.caller.program, query.accountId, query.scopes);
    if (rule) {
      this.#rules.touch(rule.id);
      return 'standing-rule';
    }
    const terminal = terminalOf(query.caller);
    if (this.#sessionAllows(terminal, query.accountId, query.scopes)) return 'terminal-session';
    if (!terminal) {
      throw new BridgeError(
        'no_standing_rule',
        `No standing rule lets "${query.caller.program}" get tokens for ${query.username}, and without a terminal nobody can be asked. ` +
          `Run the same command once from a terminal with --program ${shellWord(query.caller.program)} and choose "Always allow".`,
      );
    }
    const choice = await this.#ask(query, terminal, options);
    switch (choice) {
      case 'deny':
        throw new BridgeError('consent_denied', `The request was denied in Tessera. Ask again with the same command if that was a mistake.`);
      case 'always':
        this.#rules.add(query.caller.program, query.accountId, query.username, query.scopes);
        this.#emit({ type: 'standing-rules-changed', rules: this.#rules.list() });
        return 'standing-rule';
      case 'session':
        this.#grantSession(terminal, query.accountId, query.scopes);
        return 'terminal-session';
      case 'once':
        return 'once';
    }
  }

  /** Prompts waiting for an answer, oldest first. */
  pending(): readonly ConsentPrompt[] {
    return [...this.#pending.values()].map((entry) => entry.prompt);
  }

  /** Answers a prompt; `not_found` when it was already answered, withdrawn or timed out. */
  answer(promptId: string, choice: ConsentChoice): void {
    const entry = this.#pending.get(promptId);
    if (!entry) throw new BridgeError('not_found', 'This request is no longer waiting (it was answered, withdrawn or timed out).');
    if (choice === 'session' && !entry.prompt.hasTerminal) throw new BridgeError('invalid_argument', 'This caller has no terminal session to allow; choose once, always or deny.');
    this.#settle(entry, choice, choice);
    for (const waiter of entry.waiters) waiter.resolve(choice);
  }

  /** The standing rules. */
  standingRules(): readonly StandingRule[] {
    return this.#rules.list();
  }

  /** Revokes a standing rule; `not_found` when there is none with this id. */
  revokeStandingRule(ruleId: string): void {
    if (!this.#rules.revoke(ruleId)) throw new BridgeError('not_found', 'This standing rule no longer exists.');
    this.#emit({ type: 'standing-rules-changed', rules: this.#rules.list() });
  }

  /** Forgets every consent given for an account (it was removed). */
  forgetAccount(accountId: string): void {
    this.#rules.revokeForAccount(accountId);
    for (let i = this.#sessions.length - 1; i >= 0; i -= 1) if (this.#sessions[i]?.accountId === accountId) this.#sessions.splice(i, 1);
    this.#emit({ type: 'standing-rules-changed', rules: this.#rules.list() });
  }

  /** Ends every terminal-session approval (the app locks or quits). */
  endTerminalSessions(): void {
    this.#sessions.length = 0;
  }

  /** Withdraws every prompt and ends every session (the app quits). */
  dispose(): void {
    for (const entry of [...this.#pending.values()]) {
      this.#settle(entry, undefined, 'cancelled');
      for (const waiter of entry.waiters) waiter.reject(new BridgeError('consent_timeout', 'Tessera quit before the request was answered.'));
    }
    this.endTerminalSessions();
    this.#listeners.clear();
  }

  #sessionAllows(terminal: string | undefined, accountId: string, scopes: readonly string[]): boolean {
    if (!terminal) return false;
    const now = this.#now();
    this.#expireSessions(now);
    const grant = this.#sessions.find((session) => session.terminal === terminal && session.accountId === accountId && scopesCovered(scopes, session.scopes));
    if (!grant) return false;
    grant.lastUsedAt = now;
    return true;
  }

  #expireSessions(now: number): void {
    for (let i = this.#sessions.length - 1; i >= 0; i -= 1) {
      const session = this.#sessions[i] as SessionGrant;
      if (now - session.lastUsedAt >= this.#lifetimes.sessionIdleMs || now - session.createdAt >= this.#lifetimes.sessionMaxMs) this.#sessions.splice(i, 1);
    }
  }

  #grantSession(terminal: string, accountId: string, scopes: readonly string[]): void {
    const now = this.#now();
    this.#expireSessions(now);
    const existing = this.#sessions.find((session) => session.terminal === terminal && session.accountId === accountId);
    if (existing) {
      existing.scopes = [...new Set([...existing.scopes, ...scopes])];
      existing.lastUsedAt = now;
    } else {
      this.#sessions.push({ terminal, accountId, scopes: [...scopes], createdAt: now, lastUsedAt: now });
    }
  }

  #ask(query: ConsentQuery, terminal: string, options: AuthorizeOptions): Promise<ConsentChoice> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    // The same terminal asking again for the same thing joins the prompt already shown.
    const key = [terminal, query.caller.program, query.accountId, [...query.scopes].sort().join(' '), query.integration].join('\n');
    const existing = [...this.#pending.values()].find((candidate) => candidate.key === key);
    const entry: Pending = existing ?? this.#newPrompt(query, key);
    // The waiter is registered before anyone hears of the prompt, so even an answer given
    // synchronously by a listener reaches it.
    const answered = new Promise<ConsentChoice>((resolve, reject) => {
      const waiter = { resolve, reject };
      entry.waiters.add(waiter);
      options.signal?.addEventListener(
        'abort',
        () => {
          entry.waiters.delete(waiter);
          reject(options.signal?.reason);
          // The last caller hung up: take the prompt off the screen.
          if (entry.waiters.size === 0 && this.#pending.has(entry.prompt.id)) this.#settle(entry, undefined, 'cancelled');
        },
        { once: true },
      );
    });
    options.onWaiting?.(entry.prompt);
    if (!existing) this.#emit({ type: 'consent-requested', prompt: entry.prompt });
    return answered;
  }

  #newPrompt(query: ConsentQuery, key: string): Pending {
    const prompt: ConsentPrompt = {
      id: randomUUID(),
      caller: query.caller,
      accountId: query.accountId,
      username: query.username,
      profileName: query.profileName,
      scopes: [...query.scopes],
      integration: query.integration,
      requestedAt: this.#now(),
      hasTerminal: true,
    };
    const created: Pending = { prompt, key, waiters: new Set(), timer: undefined };
    created.timer = this.#timers.setTimeout(() => {
      this.#settle(created, undefined, 'timed-out');
      for (const waiter of created.waiters) {
        waiter.reject(new BridgeError('consent_timeout', 'Nobody answered the request in Tessera in time. Run the command again and approve it in the Tessera window.'));
      }
    }, this.#lifetimes.promptTimeoutMs);
    this.#pending.set(prompt.id, created);
    return created;
  }

  #settle(entry: Pending, _choice: ConsentChoice | undefined, outcome: ConsentChoice | 'cancelled' | 'timed-out'): void {
    this.#timers.clearTimeout(entry.timer);
    this.#pending.delete(entry.prompt.id);
    this.#emit({ type: 'consent-resolved', promptId: entry.prompt.id, outcome });
  }

  #emit(event: ConsentEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A broken listener must not stop a hand-out or the others.
      }
    }
  }
}

/** A program name as one shell word (for the message). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
