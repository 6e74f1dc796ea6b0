/**
 * The token bridge (the `tessera` command): consent prompts waiting for an answer, standing rules,
 * the activity log and the bridge's status, loaded at start and kept current by main's pushes.
 *
 * Answers, withdrawals and time-outs arrive as `consent-resolved` pushes, which in browser mode
 * travel on another connection than the answers to calls: a push can overtake the answer to
 * `listConsentPrompts`, and the answer to `answerConsent` can come before or after the push it
 * caused. So settled prompt ids are remembered (a late list cannot bring one back), and the push
 * that carries this page's own answer is recognised by its outcome, not by its order.
 */
import type { ActivityEntry, ConsentChoice, ConsentOutcome, ConsentPrompt, ErrorInfo, Result } from '../../preload/contract';
import { describeFailure, type SliceCreator } from './slice';
import type { BridgeSlice } from './types';

/** Activity entries kept in the page: as many as main keeps (main/bridge/activity-log.ts). */
export const ACTIVITY_KEPT = 1000;

// Settled prompt ids remembered against late lists; prompts are few, this bounds a long session.
const SETTLED_REMEMBERED = 500;

/** Prompts oldest first, one per id. */
function sortPrompts(prompts: readonly ConsentPrompt[]): readonly ConsentPrompt[] {
  const byId = new Map(prompts.map((prompt) => [prompt.id, prompt]));
  return [...byId.values()].sort((a, b) => a.requestedAt - b.requestedAt);
}

/** Merges entries (newest first), one per id, capped. */
function mergeActivity(first: readonly ActivityEntry[], second: readonly ActivityEntry[]): readonly ActivityEntry[] {
  const byId = new Map<string, ActivityEntry>();
  for (const entry of [...first, ...second]) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  return [...byId.values()].sort((a, b) => b.at - a.at).slice(0, ACTIVITY_KEPT);
}

/** What the person reads when a prompt went away without their answer here. */
export function resolvedElsewhereMessage(prompt: ConsentPrompt, outcome: ConsentOutcome): string {
  const who = `${prompt.caller.program}'s request for ${prompt.username}`;
  switch (outcome) {
    case 'cancelled':
      return `${who} was withdrawn: the program stopped waiting.`;
    case 'timed-out':
      return `${who} timed out: nobody answered in time. Run the command again to ask again.`;
    case 'deny':
      return `${who} was denied in another Tessera window.`;
    case 'once':
    case 'session':
    case 'always':
      return `${who} was allowed in another Tessera window.`;
  }
}

/** The short confirmation after an answer given here. */
export function answeredMessage(prompt: ConsentPrompt, choice: ConsentChoice): string {
  const program = prompt.caller.program;
  switch (choice) {
    case 'once':
      return `Allowed ${program} once for ${prompt.username}.`;
    case 'session':
      return `Allowed ${program} for this terminal session (${prompt.username}).`;
    case 'always':
      return `Always allowed ${program} for ${prompt.username}: the rule is listed in Settings.`;
    case 'deny':
      return `Denied ${program}'s request for ${prompt.username}.`;
  }
}

/** Creates the bridge slice. */
export const createBridgeSlice: SliceCreator<BridgeSlice> = ({ api }) => (set, get) => {
  const settled = new Set<string>();
  // The answers this page sent and is waiting to hear about, by prompt id.
  const sent = new Map<string, ConsentChoice>();

  const rememberSettled = (promptId: string): void => {
    settled.add(promptId);
    if (settled.size > SETTLED_REMEMBERED) settled.delete(settled.values().next().value as string);
  };
  const dropPrompt = (promptId: string): ConsentPrompt | undefined => {
    rememberSettled(promptId);
    const prompt = get().consentPrompts.find((candidate) => candidate.id === promptId);
    if (prompt) set((state) => ({ consentPrompts: state.consentPrompts.filter((candidate) => candidate.id !== promptId) }));
    return prompt;
  };
  // `bridge_unavailable` is the bridge's state, shown in Settings, not a failure to toast.
  const report = (action: string, error: ErrorInfo): void => {
    if (error.code !== 'bridge_unavailable') get().showToast({ kind: 'error', message: describeFailure(action, error) });
  };
  const quietly = <T>(result: Result<T>, action: string, use: (value: T) => void): void => {
    if (result.ok) use(result.value);
    else report(action, result.error);
  };
  // Bumped by every push of the rules: a list fetched before a push must not overwrite it.
  let rulesPushed = 0;
  const reloadRules = async (): Promise<void> => {
    const seen = rulesPushed;
    const rules = await api.listStandingRules();
    if (seen === rulesPushed) quietly(rules, 'Loading the standing rules', (standingRules) => set({ standingRules }));
  };

  return {
    bridgeStatus: null,
    consentPrompts: [],
    answeringPrompt: null,
    standingRules: [],
    activity: [],

    async loadBridge() {
      const [status, prompts, activity] = await Promise.all([api.getBridgeStatus(), api.listConsentPrompts(), api.listActivity(), reloadRules()]);
      quietly(status, 'Loading the command-line status', (bridgeStatus) => set({ bridgeStatus }));
      quietly(prompts, 'Loading the waiting requests', (listed) =>
        set((state) => ({ consentPrompts: sortPrompts([...state.consentPrompts, ...listed.filter((prompt) => !settled.has(prompt.id))]) })),
      );
      quietly(activity, 'Loading the activity', (listed) => set((state) => ({ activity: mergeActivity(state.activity, listed) })));
    },

    async loadBridgeStatus() {
      quietly(await api.getBridgeStatus(), 'Loading the command-line status', (bridgeStatus) => set({ bridgeStatus }));
    },

    async answerConsent(promptId, choice) {
      const prompt = get().consentPrompts.find((candidate) => candidate.id === promptId);
      sent.set(promptId, choice);
      set({ answeringPrompt: promptId });
      try {
        const result = await api.answerConsent(promptId, choice);
        if (!result.ok) {
          // Already answered elsewhere, withdrawn or timed out: its push says which, or said it.
          if (result.error.code === 'not_found') {
            dropPrompt(promptId);
            return true;
          }
          get().showToast({ kind: 'error', message: describeFailure('Answering the request', result.error) });
          return false;
        }
        dropPrompt(promptId);
        if (prompt) get().showToast({ kind: choice === 'deny' ? 'info' : 'success', message: answeredMessage(prompt, choice) });
        return true;
      } finally {
        sent.delete(promptId);
        if (get().answeringPrompt === promptId) set({ answeringPrompt: null });
      }
    },

    async revokeStandingRule(ruleId) {
      const result = await api.revokeStandingRule(ruleId);
      if (!result.ok && result.error.code !== 'not_found') {
        get().showToast({ kind: 'error', message: describeFailure('Revoking the rule', result.error) });
        return false;
      }
      // The push brings the new list; until then (or when it was already gone) drop it here.
      set((state) => ({ standingRules: state.standingRules.filter((rule) => rule.id !== ruleId) }));
      return true;
    },

    async setDefaultAccount(accountId) {
      const result = await api.setDefaultAccount(accountId);
      if (!result.ok) {
        get().showToast({ kind: 'error', message: describeFailure('Choosing the default account', result.error) });
        return false;
      }
      set((state) => ({ bridgeStatus: state.bridgeStatus ? { ...state.bridgeStatus, defaultAccountId: accountId } : state.bridgeStatus }));
      return true;
    },

    async installCommandLineTool() {
      const result = await api.installCommandLineTool();
      if (!result.ok) return { error: result.error };
      const tool = result.value;
      set((state) => ({ bridgeStatus: state.bridgeStatus ? { ...state.bridgeStatus, commandLineTool: tool } : state.bridgeStatus }));
      return { tool };
    },

    applyConsentRequested(prompt) {
      if (settled.has(prompt.id)) return;
      set((state) => ({ consentPrompts: sortPrompts([...state.consentPrompts, prompt]) }));
    },

    applyConsentResolved(promptId, outcome) {
      const mine = sent.get(promptId) === outcome;
      const prompt = dropPrompt(promptId);
      // This page's own answer is confirmed by `answerConsent`; anything else is news to the person.
      if (prompt && !mine) get().showToast({ kind: 'info', message: resolvedElsewhereMessage(prompt, outcome) });
    },

    applyStandingRules(rules) {
      rulesPushed += 1;
      set({ standingRules: rules });
    },

    applyActivity(entry) {
      set((state) => ({ activity: mergeActivity([entry], state.activity) }));
      // A rule's "last used" changes without a push of its own: fetch the rules again.
      if (entry.basis === 'standing-rule') void reloadRules();
    },
  };
};
