import { describe, expect, it } from 'vitest';
import { RecordingClipboard } from '../../../main/clipboard/clipboard';
import { ClipboardService, DEFAULT_CLEAR_AFTER_MS, type Timers } from '../../../main/clipboard/clipboard-service';

/** A manual clock implementing the Timers interface. */
class FakeTimers implements Timers {
  now = 1_000_000;
  #next = 1;
  readonly #scheduled = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#scheduled.set(id, { at: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#scheduled.delete(handle as number);
  }

  get pending(): number {
    return this.#scheduled.size;
  }

  /** Advances the clock, runs due callbacks, and lets their promises settle. */
  async advance(ms: number): Promise<void> {
    this.now += ms;
    for (const [id, entry] of [...this.#scheduled].sort((a, b) => a[1].at - b[1].at)) {
      if (entry.at > this.now) continue;
      this.#scheduled.delete(id);
      entry.callback();
    }
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  }
}

function setup(clearAfterMs?: number) {
  const timers = new FakeTimers();
  const clipboard = new RecordingClipboard();
  const service = new ClipboardService(clipboard, { clearAfterMs, timers, now: () => timers.now });
  return { timers, clipboard, service };
}

describe('ClipboardService', () => {
  it('copies as a concealed secret and clears after 60 s by default', async () => {
    const { timers, clipboard, service } = setup();
    const { clearsAt } = await service.copySecret('token-1');
    expect(clearsAt).toBe(timers.now + DEFAULT_CLEAR_AFTER_MS);
    expect(clipboard.writes).toEqual([{ text: 'token-1', concealed: true }]);
    await timers.advance(59_999);
    expect(await clipboard.readText()).toBe('token-1');
    await timers.advance(1);
    expect(await clipboard.readText()).toBe('');
    expect(clipboard.clears).toBe(1);
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    const { timers, clipboard, service } = setup(5_000);
    await service.copySecret('token-1');
    clipboard.writeExternal('a shopping list');
    await timers.advance(5_000);
    expect(await clipboard.readText()).toBe('a shopping list');
    expect(clipboard.clears).toBe(0);
  });

  it('a new copy resets the timer', async () => {
    const { timers, clipboard, service } = setup(10_000);
    await service.copySecret('token-1');
    await timers.advance(8_000);
    const { clearsAt } = await service.copySecret('token-2');
    expect(clearsAt).toBe(timers.now + 10_000);
    expect(timers.pending).toBe(1);
    await timers.advance(8_000);
    expect(await clipboard.readText()).toBe('token-2');
    await timers.advance(2_000);
    expect(await clipboard.readText()).toBe('');
    expect(clipboard.clears).toBe(1);
  });

  it('uses a changed delay for the next copy', async () => {
    const { timers, clipboard, service } = setup(10_000);
    service.setClearAfterMs(1_000);
    await service.copySecret('token-1');
    await timers.advance(1_000);
    expect(await clipboard.readText()).toBe('');
    expect(() => service.setClearAfterMs(0)).toThrow(RangeError);
  });

  it('dispose cancels the timer and clears our secret, but not foreign content', async () => {
    const first = setup();
    await first.service.copySecret('token-1');
    await first.service.dispose();
    expect(first.timers.pending).toBe(0);
    expect(await first.clipboard.readText()).toBe('');

    const second = setup();
    await second.service.copySecret('token-1');
    second.clipboard.writeExternal('mine');
    await second.service.dispose();
    expect(await second.clipboard.readText()).toBe('mine');
  });

  it('refuses an empty copy', async () => {
    const { service } = setup();
    await expect(service.copySecret('')).rejects.toThrow(TypeError);
  });
});
