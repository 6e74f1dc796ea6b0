/**
 * The consent engine: every choice, terminal sessions ending (idle, hard limit), standing rules
 * persisted and revoked, callers without a terminal, prompts that time out or are withdrawn.
 */
import { describe, expect, it } from 'vitest';
import { ConsentEngine, CONSENT_DEFAULTS, type ConsentQuery } from '../../main/bridge/consent';
import { STANDING_RULES_KEY } from '../../main/bridge/consent-rules';
import type { ConsentEvent } from '../../main/bridge/consent-types';
import type { KeyValueStore } from '../../main/persistence/settings-store';
import { ManualTimers } from '../support/manual-timers';

class MemoryKeyValueStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  writes = 0;
  get(key: string): unknown {
    return structuredClone(this.data.get(key));
  }
  set(key: string, value: unknown): void {
    this.writes += 1;
    this.data.set(key, structuredClone(value));
  }
  delete(key: string): void {
    this.data.delete(key);
  }
}

const TERMINAL_CALLER = { program: 'bash', tty: '/dev/pts/3', terminalSession: '4242', cwd: '/home/alice/src', integration: 'cli' } as const;
const OTHER_TERMINAL = { ...TERMINAL_CALLER, tty: '/dev/pts/7', terminalSession: '5151' } as const;
const CI_CALLER = { program: 'deploy-job', integration: 'cli' } as const;

function query(caller: ConsentQuery['caller'] = TERMINAL_CALLER, scopes: readonly string[] = ['api://demo/read']): ConsentQuery {
  return { caller, accountId: 'acc-alice', username: 'alice@contoso.com', profileName: 'Demo', scopes, integration: caller.integration };
}

function setup() {
  let now = 1_700_000_000_000;
  const store = new MemoryKeyValueStore();
  const timers = new ManualTimers();
  const events: ConsentEvent[] = [];
  const make = () => {
    const engine = new ConsentEngine({ store, timers, now: () => now });
    engine.subscribe((event) => events.push(event));
    return engine;
  };
  const engine = make();
  /** Answers the next prompt with `choice` as soon as it appears. */
  const answerNext = (target: ConsentEngine, choice: 'once' | 'session' | 'always' | 'deny') => {
    const unsubscribe = target.subscribe((event) => {
      if (event.type !== 'consent-requested') return;
      unsubscribe();
      queueMicrotask(() => target.answer(event.prompt.id, choice));
    });
  };
  return { engine, store, timers, events, make, answerNext, advance: (ms: number) => (now += ms) };
}

const prompts = (events: readonly ConsentEvent[]) => events.filter((event) => event.type === 'consent-requested').length;

describe('consent engine', () => {
  it('"allow once" hands out once and asks again next time', async () => {
    const { engine, events, answerNext } = setup();
    answerNext(engine, 'once');
    await expect(engine.authorize(query())).resolves.toBe('once');
    answerNext(engine, 'once');
    await expect(engine.authorize(query())).resolves.toBe('once');
    expect(prompts(events)).toBe(2);
  });

  it('shows the prompt with what the caller reported, and tells the caller it waits', async () => {
    const { engine, events, answerNext } = setup();
    const waited: string[] = [];
    answerNext(engine, 'once');
    await engine.authorize(query(), { onWaiting: (prompt) => waited.push(prompt.id) });
    const requested = events.find((event) => event.type === 'consent-requested');
    expect(requested?.type === 'consent-requested' && requested.prompt).toMatchObject({
      caller: TERMINAL_CALLER,
      username: 'alice@contoso.com',
      scopes: ['api://demo/read'],
      hasTerminal: true,
    });
    expect(waited).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'consent-resolved', outcome: 'once' });
  });

  it('"deny" refuses with consent_denied', async () => {
    const { engine, answerNext } = setup();
    answerNext(engine, 'deny');
    await expect(engine.authorize(query())).rejects.toMatchObject({ code: 'consent_denied' });
  });

  it('"allow this terminal session" covers that terminal only, and ends after 10 idle minutes', async () => {
    const { engine, events, answerNext, advance } = setup();
    answerNext(engine, 'session');
    await expect(engine.authorize(query())).resolves.toBe('terminal-session');
    // Used every 9 minutes for an hour: still allowed, no prompt.
    for (let i = 0; i < 6; i += 1) {
      advance(9 * 60_000);
      await expect(engine.authorize(query())).resolves.toBe('terminal-session');
    }
    expect(prompts(events)).toBe(1);
    // Another terminal is asked.
    answerNext(engine, 'deny');
    await expect(engine.authorize(query(OTHER_TERMINAL))).rejects.toMatchObject({ code: 'consent_denied' });
    // Ten minutes without use: expired, asked again.
    advance(CONSENT_DEFAULTS.sessionIdleMs);
    answerNext(engine, 'once');
    await expect(engine.authorize(query())).resolves.toBe('once');
    expect(prompts(events)).toBe(3);
  });

  it('a terminal session ends after 12 hours however busy it is', async () => {
    const { engine, events, answerNext, advance } = setup();
    answerNext(engine, 'session');
    await engine.authorize(query());
    for (let elapsed = 0; elapsed < CONSENT_DEFAULTS.sessionMaxMs - 5 * 60_000; elapsed += 5 * 60_000) {
      advance(5 * 60_000);
      await expect(engine.authorize(query())).resolves.toBe('terminal-session');
    }
    advance(5 * 60_000);
    answerNext(engine, 'once');
    await expect(engine.authorize(query())).resolves.toBe('once');
    expect(prompts(events)).toBe(2);
  });

  it('a terminal session does not stretch to other scopes', async () => {
    const { engine, events, answerNext } = setup();
    answerNext(engine, 'session');
    await engine.authorize(query());
    answerNext(engine, 'once');
    await expect(engine.authorize(query(TERMINAL_CALLER, ['api://demo/write']))).resolves.toBe('once');
    expect(prompts(events)).toBe(2);
  });

  it('"always allow" persists a standing rule that a restarted app honours, until it is revoked', async () => {
    const { engine, store, events, make, answerNext } = setup();
    answerNext(engine, 'always');
    await expect(engine.authorize(query(TERMINAL_CALLER, ['api://demo/read', 'api://demo/write']))).resolves.toBe('standing-rule');
    const stored = store.get(STANDING_RULES_KEY) as { program: string; accountId: string; scopes: string[] }[];
    expect(stored).toEqual([expect.objectContaining({ program: 'bash', accountId: 'acc-alice', scopes: ['api://demo/read', 'api://demo/write'] })]);
    // Settings hold no secrets: the rule is names and scopes only.
    expect(Object.keys(stored[0] ?? {}).sort()).toEqual(['accountId', 'createdAt', 'id', 'program', 'scopes', 'username']);

    const restarted = make();
    // A subset of the scopes, from another terminal and from no terminal at all: allowed without a prompt.
    await expect(restarted.authorize(query(OTHER_TERMINAL, ['api://demo/read']))).resolves.toBe('standing-rule');
    await expect(restarted.authorize(query({ ...CI_CALLER, program: 'bash' }))).resolves.toBe('standing-rule');
    expect(prompts(events)).toBe(1);

    const [rule] = restarted.standingRules();
    restarted.revokeStandingRule(rule?.id ?? '');
    expect(store.get(STANDING_RULES_KEY)).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'standing-rules-changed', rules: [] });
    await expect(restarted.authorize(query({ ...CI_CALLER, program: 'bash' }))).rejects.toMatchObject({ code: 'no_standing_rule' });
    expect(() => restarted.revokeStandingRule(rule?.id ?? '')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('a caller without a terminal is never prompted: a clear no_standing_rule without a rule', async () => {
    const { engine, events } = setup();
    const error = await engine.authorize(query(CI_CALLER)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'no_standing_rule' });
    expect((error as Error).message).toContain('--program deploy-job');
    expect(prompts(events)).toBe(0);
  });

  it('a prompt nobody answers fails with consent_timeout and leaves the screen', async () => {
    const { engine, timers, events } = setup();
    const pending = engine.authorize(query());
    expect(engine.pending()).toHaveLength(1);
    expect(timers.delays()).toEqual([CONSENT_DEFAULTS.promptTimeoutMs]);
    timers.fireAll();
    await expect(pending).rejects.toMatchObject({ code: 'consent_timeout' });
    expect(engine.pending()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'consent-resolved', outcome: 'timed-out' });
  });

  it('a caller that hangs up withdraws its prompt; a late answer is refused', async () => {
    const { engine, events } = setup();
    const controller = new AbortController();
    const pending = engine.authorize(query(), { signal: controller.signal });
    const [prompt] = engine.pending();
    controller.abort(new Error('hung up'));
    await expect(pending).rejects.toThrow('hung up');
    expect(engine.pending()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'consent-resolved', outcome: 'cancelled' });
    expect(() => engine.answer(prompt?.id ?? '', 'once')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('hears an answer given synchronously by the listener that is told about the prompt', async () => {
    const { engine } = setup();
    engine.subscribe((event) => {
      if (event.type === 'consent-requested') engine.answer(event.prompt.id, 'once');
    });
    await expect(engine.authorize(query())).resolves.toBe('once');
  });

  it('the same request from the same terminal joins the prompt already shown', async () => {
    const { engine, events } = setup();
    const first = engine.authorize(query());
    const second = engine.authorize(query());
    expect(engine.pending()).toHaveLength(1);
    engine.answer(engine.pending()[0]?.id ?? '', 'once');
    await expect(Promise.all([first, second])).resolves.toEqual(['once', 'once']);
    expect(prompts(events)).toBe(1);
  });

  it('ends terminal sessions and withdraws prompts when the app quits', async () => {
    const { engine, answerNext } = setup();
    answerNext(engine, 'session');
    await engine.authorize(query());
    const waiting = engine.authorize(query(OTHER_TERMINAL));
    engine.dispose();
    await expect(waiting).rejects.toMatchObject({ code: 'consent_timeout' });
    // The approved terminal is asked again: its session ended with the app.
    const again = engine.authorize(query());
    expect(engine.pending()).toHaveLength(1);
    engine.dispose();
    await expect(again).rejects.toMatchObject({ code: 'consent_timeout' });
  });
});
