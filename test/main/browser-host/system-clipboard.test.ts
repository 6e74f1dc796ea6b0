import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandClipboard, clipboardCandidates } from '../../../main/browser-host/system-clipboard';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('browser-mode clipboard commands', () => {
  it('prefers wl-copy with the sensitive hint on Wayland, then wl-copy without it, then X11 tools', () => {
    const names = clipboardCandidates('linux', { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }).map((c) => c.name);
    expect(names).toEqual(['wl-copy', 'wl-copy (no hint)', 'xclip', 'xsel']);
    expect(clipboardCandidates('linux', {})).toEqual([]);
  });

  it('an old wl-copy that rejects --sensitive falls through to the next command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-clip-'));
    dirs.push(dir);
    const file = join(dir, 'clipboard');
    const clipboard = new CommandClipboard({
      candidates: [
        { name: 'rejects-flag', write: ['sh', '-c', 'cat >/dev/null; exit 2'], read: ['sh', '-c', 'exit 2'] },
        { name: 'works', write: ['sh', '-c', `cat > '${file}'`], read: ['cat', file] },
      ],
    });
    await clipboard.writeSecret('copied-value');
    expect(readFileSync(file, 'utf8')).toBe('copied-value');
    expect(await clipboard.readText()).toBe('copied-value');
  });

  it('without any working command, copying fails with a message naming what to install', async () => {
    const clipboard = new CommandClipboard({ candidates: [{ name: 'missing', write: ['tessera-no-such-command'], read: ['tessera-no-such-command'] }] });
    await expect(clipboard.writeSecret('x')).rejects.toMatchObject({ code: 'clipboard_unavailable' });
  });
});
