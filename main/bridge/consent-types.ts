/**
 * The data of consent: prompts, answers, standing rules and the activity log — the contract's
 * types (the UI shows them), named here for the bridge. No secrets: none of these ever holds a token.
 */
import type { AppEvent } from '../../preload/contract';

export type { ActivityEntry, ConsentChoice, ConsentOutcome, ConsentPrompt, GrantBasis, StandingRule } from '../../preload/contract';

/** Pushes of the consent engine, forwarded to the UI as app events. */
export type ConsentEvent = Extract<AppEvent, { type: 'consent-requested' | 'consent-resolved' | 'standing-rules-changed' | 'activity-added' }>;
