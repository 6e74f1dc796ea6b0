/**
 * The data of consent: prompts, answers, standing rules and the activity log. No secrets: none of
 * these ever holds a token.
 */
import type { CallerInfo, Integration } from './protocol';

/** A person's answer to a consent prompt. */
export type ConsentChoice = 'once' | 'session' | 'always' | 'deny';

/** A request waiting for a person, as the UI shows it. */
export interface ConsentPrompt {
  readonly id: string;
  /** What the caller reported about itself (shown as "reported by the caller"). */
  readonly caller: CallerInfo;
  readonly accountId: string;
  readonly username: string;
  readonly profileName: string;
  readonly scopes: readonly string[];
  readonly integration: Integration;
  /** Epoch milliseconds. */
  readonly requestedAt: number;
  /** Whether "allow this terminal session" can be offered (the caller reported a terminal). */
  readonly hasTerminal: boolean;
}

/** "Always allow this program for this account and these scopes". Non-secret; kept in settings. */
export interface StandingRule {
  readonly id: string;
  /** The program name the caller reported. */
  readonly program: string;
  readonly accountId: string;
  /** For display; the account id is what matches. */
  readonly username: string;
  /** The scopes allowed; a request matches when it asks for a subset of them. */
  readonly scopes: readonly string[];
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly lastUsedAt?: number;
}

/** How a hand-out was allowed. */
export type GrantBasis = 'standing-rule' | 'terminal-session' | 'once';

/** One line of the activity log: a hand-out or a refusal. Never the token. */
export interface ActivityEntry {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly outcome: 'handed-out' | 'denied';
  readonly caller: {
    readonly program: string;
    readonly parentProgram?: string;
    readonly tty?: string;
    readonly cwd?: string;
    readonly pid?: number;
  };
  readonly accountId: string;
  readonly username: string;
  readonly scopes: readonly string[];
  readonly integration: Integration;
  /** For hand-outs: what allowed it. */
  readonly basis?: GrantBasis;
  /** For hand-outs: epoch seconds when the token expires. */
  readonly expiresOn?: number;
  /** For refusals: the error code. */
  readonly code?: string;
}

/** Pushes of the consent engine, forwarded to the UI as app events. */
export type ConsentEvent =
  | { readonly type: 'consent-requested'; readonly prompt: ConsentPrompt }
  | { readonly type: 'consent-resolved'; readonly promptId: string; readonly outcome: ConsentChoice | 'cancelled' | 'timed-out' }
  | { readonly type: 'standing-rules-changed'; readonly rules: readonly StandingRule[] }
  | { readonly type: 'activity-added'; readonly entry: ActivityEntry };
