import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../../support/manual-timers';
import { AutoRefresher, MIN_REFRESH_INTERVAL_MS, RETRY_AFTER_MS, type RefreshOutcome } from '../../../main/services/auto-refresh';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(outcomes: RefreshOutcome[]) {
  const timers = new ManualTimers();
  const now = 1_000_000_000_000;
  const calls: string[] = [];
  const refresher = new AutoRefresher({
    timers,
    now: () => now,
    leadMinutes: () => 5,
    refresh: async (id) => {
      calls.push(id);
      const next = outcomes.shift();
      if (!next) throw new Error('network down');
      return next;
    },
  });
  return { timers, now, calls, refresher };
}

describe('AutoRefresher', () => {
  it('arms the lead time before expiry and re-arms from the new expiry', async () => {
    const { timers, now, calls, refresher } = setup([{ kind: 'refreshed', expiresOn: 1_000_000_000 + 3600 }]);
    refresher.schedule('a', now / 1000 + 3600);
    expect(timers.delays()).toEqual([3600_000 - 300_000]);
    timers.fireAll();
    await flush();
    expect(calls).toEqual(['a']);
    expect(timers.delays()).toEqual([3300_000]);
  });

  it('refreshes at once when nothing is cached, and never faster than the minimum interval', async () => {
    const { timers, now, refresher } = setup([{ kind: 'refreshed', expiresOn: 1_000_000_000 + 60 }]);
    refresher.schedule('a', undefined);
    expect(timers.delays()).toEqual([0]);
    timers.fireAll();
    await flush();
    // A 60-second token with a 5-minute lead: halfway through, but at least the minimum interval.
    expect(timers.delays()).toEqual([Math.max(MIN_REFRESH_INTERVAL_MS, ((now / 1000 + 60) * 1000 - now) / 2)]);
  });

  it('stops after needs-sign-in and retries later after a transient failure', async () => {
    const { timers, refresher } = setup([{ kind: 'needs-sign-in' }]);
    refresher.schedule('a', undefined);
    timers.fireAll();
    await flush();
    expect(timers.pending.size).toBe(0);
    refresher.schedule('b', undefined);
    timers.fireAll(); // the refresh throws: network trouble
    await flush();
    expect(timers.delays()).toEqual([RETRY_AFTER_MS]);
  });

  it('cancels and disposes', () => {
    const { timers, now, refresher } = setup([]);
    refresher.schedule('a', now / 1000 + 3600);
    refresher.schedule('b', now / 1000 + 3600);
    refresher.cancel('a');
    expect(refresher.scheduled).toEqual(['b']);
    refresher.dispose();
    expect(timers.pending.size).toBe(0);
    refresher.schedule('c', undefined);
    expect(timers.pending.size).toBe(0);
  });
});
