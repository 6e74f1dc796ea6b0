// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { connectEvents, createAppStore } from '../../../renderer/store';
import { createFakeApi, makeAccount, makePrompt } from '../support/fake-api';

describe('bridge slice', () => {
  it('loads prompts (oldest first), rules, activity and status with loadAll', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    fake.bridge.prompts.push(makePrompt({ id: 'late', requestedAt: 2 }), makePrompt({ id: 'early', requestedAt: 1 }));
    fake.bridge.rules.push({ id: 'r', program: 'make', accountId: 'a', username: 'a@contoso.com', scopes: ['s'], createdAt: 1 });
    const store = createAppStore(fake.api);
    await store.getState().loadAll();
    const state = store.getState();
    expect(state.consentPrompts.map((prompt) => prompt.id)).toEqual(['early', 'late']);
    expect(state.standingRules.map((rule) => rule.id)).toEqual(['r']);
    expect(state.bridgeStatus).toMatchObject({ running: true, endpoint: fake.bridge.endpoint });
  });

  it('a prompt settled before the list arrives is not brought back by it', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    const prompt = fake.requestConsent();
    // The list was taken while the prompt waited; the push that settled it overtook the answer.
    fake.settleElsewhere(prompt.id, 'timed-out');
    fake.bridge.prompts.push(prompt);
    await store.getState().loadBridge();
    expect(store.getState().consentPrompts).toEqual([]);
  });

  it('one entry per id when a push and the list carry the same activity; newest first', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    const common = { outcome: 'handed-out' as const, caller: { program: 'sh' }, accountId: 'a', username: 'a@contoso.com', scopes: ['s'], integration: 'cli' as const, basis: 'once' as const };
    fake.logActivity({ ...common, at: 1 });
    fake.logActivity({ ...common, at: 2 });
    await store.getState().loadBridge();
    expect(store.getState().activity.map((entry) => entry.at)).toEqual([2, 1]);
  });

  it('its own answer is confirmed once, whichever of the push and the answer comes first', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    const prompt = fake.requestConsent();
    // The fake pushes consent-resolved before it answers the call, as browser mode may deliver it.
    expect(await store.getState().answerConsent(prompt.id, 'once')).toBe(true);
    expect(store.getState().toasts.map((toast) => toast.message)).toEqual(['Allowed sh once for a@contoso.com.']);
    expect(store.getState().consentPrompts).toEqual([]);
    expect(store.getState().answeringPrompt).toBeNull();
  });
});

describe('bridge slice: rules', () => {
  it('fetches the rules again after a hand-out by a standing rule, so "last used" is current', async () => {
    const fake = createFakeApi([makeAccount({ id: 'a' })]);
    const store = createAppStore(fake.api);
    connectEvents(store, fake.api);
    fake.bridge.rules.push({ id: 'r', program: 'make', accountId: 'a', username: 'a@contoso.com', scopes: ['s'], createdAt: 1 });
    await store.getState().loadBridge();
    expect(store.getState().standingRules[0]?.lastUsedAt).toBeUndefined();
    fake.bridge.rules = [{ id: 'r', program: 'make', accountId: 'a', username: 'a@contoso.com', scopes: ['s'], createdAt: 1, lastUsedAt: 5 }];
    fake.logActivity({ at: 5, outcome: 'handed-out', caller: { program: 'make' }, accountId: 'a', username: 'a@contoso.com', scopes: ['s'], integration: 'cli', basis: 'standing-rule' });
    await expect.poll(() => store.getState().standingRules[0]?.lastUsedAt).toBe(5);
  });
});
