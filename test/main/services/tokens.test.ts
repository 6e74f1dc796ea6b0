import { describe, expect, it } from 'vitest';
import { withPrompt } from '../../../main/services/tokens';

describe('withPrompt (a profile\'s own prompt and the one "Add account" adds)', () => {
  it('adds the account picker to a preset\'s prompt=consent (Google) instead of losing it', () => {
    expect(withPrompt({ access_type: 'offline', prompt: 'consent' }, 'select_account')).toEqual({ access_type: 'offline', prompt: 'consent select_account' });
    expect(withPrompt({ prompt: 'login consent' }, 'login')).toEqual({ prompt: 'login consent' });
  });

  it('leaves the parameters alone when there is nothing to combine, or prompt=none (which allows no other value)', () => {
    const extra = { audience: 'api://x' };
    expect(withPrompt(extra, 'login')).toBe(extra);
    expect(withPrompt(undefined, 'login')).toBeUndefined();
    expect(withPrompt({ prompt: 'consent' }, undefined)).toEqual({ prompt: 'consent' });
    expect(withPrompt({ prompt: 'none' }, 'login')).toEqual({ prompt: 'none' });
  });
});
