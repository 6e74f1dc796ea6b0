/**
 * Browser mode's clipboard with the real tools from Debian: xclip and xsel under Xvfb, wl-copy /
 * wl-paste under Weston (nested in Xvfb). Each tool copies through the same `ClipboardService`
 * the host uses, the clipboard is read back with the tool itself, and the clear is watched.
 *
 * Regressions pinned: "Copy never completes with xclip" (the host waited for a pipe that xclip's
 * background process keeps open, so the clear was never scheduled either) and "a clipboard tool
 * that exits before reading its input crashes the host with EPIPE" (wl-copy 2.1.0 rejects
 * `--sensitive`).
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipboardCandidates, CommandClipboard, type ClipboardCommands } from '../../../main/browser-host/system-clipboard';
import { ClipboardService } from '../../../main/clipboard/clipboard-service';
import { startWeston, startXvfb, type DisplayServer } from '../../support/display-servers';
import { command, onPath, requires } from '../../support/requires';

// Generous guards, not timing asserts: a copy must complete at all, the clear must come at all.
const COMPLETION_GUARD_MS = 5_000;
const CLEAR_AFTER_MS = 1_500;

/** A made-up value shaped like a JWT access token (never a real token). */
function fakeToken(): string {
  const part = (bytes: number): string => randomBytes(bytes).toString('base64url');
  return `eyJ${part(24)}.${part(120)}.${part(64)}`;
}

/** Rejects when `promise` has not settled within `ms` (names what did not complete). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the clipboard with the tool's own paste command, outside our code. */
function pasteWith(commands: ClipboardCommands, env: NodeJS.ProcessEnv): string {
  const [command, ...args] = commands.read;
  const result = spawnSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
  return result.status === 0 ? result.stdout : '';
}

/** Copies something else with the tool, as the user would in another app. */
function copyWith(commands: ClipboardCommands, env: NodeJS.ProcessEnv, text: string): void {
  const [command, ...args] = commands.write;
  // The tool's background server keeps its stdio: give it none so this returns.
  const result = spawnSync(command, args, { env, input: text, stdio: ['pipe', 'ignore', 'ignore'], timeout: 5_000 });
  expect(result.status).toBe(0);
}

/** Polls until `read()` no longer returns `token` (or the guard ends); returns what it read last. */
async function waitUntilGone(read: () => string, token: string, guardMs: number): Promise<string> {
  const deadline = Date.now() + guardMs;
  let current = read();
  while (current === token && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    current = read();
  }
  return current;
}

/** The copy-and-clear checks every tool must pass. */
function describeTool(name: string, setup: () => { commands: readonly ClipboardCommands[]; env: NodeJS.ProcessEnv; expected: ClipboardCommands }): void {
  describe(name, () => {
    it('confirms a copy, and the clipboard then holds the token when read back with the tool', async () => {
      const { commands, env, expected } = setup();
      const adapter = new CommandClipboard({ candidates: commands, env });
      const service = new ClipboardService(adapter, { clearAfterMs: 60_000 });
      const token = fakeToken();
      await within(service.copySecret(token), COMPLETION_GUARD_MS, `copy with ${name}`);
      expect(adapter.toolName).toBe(expected.name);
      expect(pasteWith(expected, env)).toBe(token);
      await within(service.dispose(), COMPLETION_GUARD_MS, `clear on dispose with ${name}`);
      expect(pasteWith(expected, env)).toBe('');
    });

    it('clears the token once the clear time has passed, and not before', async () => {
      const { commands, env, expected } = setup();
      const service = new ClipboardService(new CommandClipboard({ candidates: commands, env }), { clearAfterMs: CLEAR_AFTER_MS });
      const token = fakeToken();
      const { clearsAt } = await within(service.copySecret(token), COMPLETION_GUARD_MS, `copy with ${name}`);
      const after = await waitUntilGone(() => pasteWith(expected, env), token, CLEAR_AFTER_MS + COMPLETION_GUARD_MS);
      expect(after).toBe('');
      // One-sided: the timer cannot have fired early, so this holds on any machine.
      expect(Date.now()).toBeGreaterThanOrEqual(clearsAt);
    });

    it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
      const { commands, env, expected } = setup();
      const service = new ClipboardService(new CommandClipboard({ candidates: commands, env }), { clearAfterMs: CLEAR_AFTER_MS });
      await within(service.copySecret(fakeToken()), COMPLETION_GUARD_MS, `copy with ${name}`);
      copyWith(expected, env, 'the user copied this');
      await new Promise((resolve) => setTimeout(resolve, CLEAR_AFTER_MS + 500));
      await within(service.dispose(), COMPLETION_GUARD_MS, 'dispose');
      expect(pasteWith(expected, env)).toBe('the user copied this');
    });
  });
}

const x11Tools = [command('Xvfb', 'apt-get install xvfb'), command('xclip', 'apt-get install xclip'), command('xsel', 'apt-get install xsel')];

requires(...x11Tools).describe('browser-mode clipboard with xclip and xsel under Xvfb', () => {
  let x11: DisplayServer | undefined;
  let env: NodeJS.ProcessEnv = {};
  const byName = (name: string): ClipboardCommands => {
    const found = clipboardCandidates('linux', { DISPLAY: ':0' }).find((c) => c.name === name);
    if (!found) throw new Error(`no ${name} candidate`);
    return found;
  };

  beforeAll(async () => {
    x11 = await startXvfb();
    if (!x11) throw new Error('Xvfb did not start.');
    env = { PATH: process.env.PATH, HOME: process.env.HOME, ...x11.env };
  });
  afterAll(async () => {
    await x11?.stop();
  });

  describeTool('xclip', () => ({ commands: [byName('xclip')], env, expected: byName('xclip') }));
  describeTool('xsel', () => ({ commands: [byName('xsel')], env, expected: byName('xsel') }));

  it('survives a tool that exits before reading its input, and copies with the next one', async () => {
    // A token far larger than a socket buffer makes the write to a tool that has already exited
    // fail with EPIPE every time; unhandled, that error ended the host process.
    const exitsEarly: ClipboardCommands = { name: 'exits early', write: ['sh', '-c', 'exit 2'], read: ['sh', '-c', 'exit 2'] };
    const wlCopyWithoutCompositor: ClipboardCommands = { name: 'wl-copy, no compositor', write: ['wl-copy', '--sensitive'], read: ['wl-paste', '--no-newline'] };
    const adapter = new CommandClipboard({
      candidates: [exitsEarly, ...(onPath('wl-copy') ? [wlCopyWithoutCompositor] : []), byName('xclip')],
      env: { ...env, WAYLAND_DISPLAY: 'tessera-no-such-compositor', XDG_RUNTIME_DIR: '/nonexistent' },
    });
    const big = `${fakeToken()}${'A'.repeat(2 * 1024 * 1024)}`;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await within(adapter.writeSecret(big), COMPLETION_GUARD_MS * 2, 'copy after an early-exiting tool');
      expect(adapter.toolName).toBe('xclip');
    }
    // Every candidate failing is a typed error, not a crash.
    const none = new CommandClipboard({ candidates: [exitsEarly], env });
    await expect(none.writeSecret(big)).rejects.toMatchObject({ code: 'clipboard_unavailable' });
  });
});

// Weston runs headless inside Xvfb here.
requires(...x11Tools, command('weston', 'apt-get install weston'), command('wl-copy', 'apt-get install wl-clipboard')).describe('browser-mode clipboard with wl-clipboard under Weston', () => {
  let x11: DisplayServer | undefined;
  let wayland: DisplayServer | undefined;
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    x11 = await startXvfb();
    if (!x11) throw new Error('Xvfb did not start.');
    wayland = await startWeston(x11);
    if (!wayland) throw new Error('Weston did not start with its X11 backend inside Xvfb.');
    // Wayland only: no DISPLAY, so nothing falls back to the X11 tools unseen.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, ...wayland.env };
  });
  afterAll(async () => {
    await wayland?.stop();
    await x11?.stop();
  });

  // The host's own order: wl-copy --sensitive first. Debian 12's wl-copy 2.1.0 rejects the flag
  // and exits before reading its input; the copy must go on with plain wl-copy.
  describeTool('wl-copy (Debian 12: --sensitive refused, plain wl-copy used)', () => {
    const commands = clipboardCandidates('linux', env);
    const plain = commands.find((c) => c.name === 'wl-copy (no hint)');
    if (!plain) throw new Error('no plain wl-copy candidate');
    return { commands, env, expected: plain };
  });
});
