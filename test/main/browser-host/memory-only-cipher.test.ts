/**
 * Browser mode without --persist-tokens: the storage status says why tokens stay in memory and how
 * to keep them — not the desktop app's keyring advice, which does not apply there (issue 9).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserMode, type BrowserMode } from '../../../main/browser-host/browser-mode';
import { RecordingClipboard } from '../../../main/clipboard/clipboard';

describe('browser mode keeping tokens in memory', () => {
  let mode: BrowserMode | undefined;
  let dataDir = '';

  afterEach(async () => {
    await mode?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('says how to keep tokens, without keyring advice', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-memory-only-'));
    mode = await startBrowserMode({ version: '0.0.0-test', staticDir: join(dataDir, 'no-ui'), dataDir, clipboard: new RecordingClipboard(), openExternal: () => undefined });
    const status = await mode.core.getStorageStatus();
    expect(status.mode).toBe('memory-only');
    expect(status.reason).toBe(
      'Tokens are kept in memory only: browser mode keeps tokens on disk only when started with --persist-tokens (npm start -- --persist-tokens). Accounts sign in again after a restart.',
    );
    expect(status.reason).not.toMatch(/keyring|password-store/i);
  });
});
