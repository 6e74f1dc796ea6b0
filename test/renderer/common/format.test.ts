import { describe, expect, it } from 'vitest';
import { formatDuration, initials, parseScopes, statusLabel, toEpochMs } from '../../../renderer/common/format';

const NOW = 1_700_000_000_000;
const inSeconds = (seconds: number): number => Math.floor(NOW / 1000) + seconds;

describe('statusLabel', () => {
  it('says how long a token stays valid', () => {
    expect(statusLabel({ kind: 'valid', expiresOn: inSeconds(42 * 60 + 10) }, NOW)).toEqual({ text: 'valid 42 min', tone: 'ok' });
    expect(statusLabel({ kind: 'valid', expiresOn: inSeconds(125 * 60) }, NOW).text).toBe('valid 2 h 5 min');
  });
  it('warns shortly before expiry', () => {
    expect(statusLabel({ kind: 'valid', expiresOn: inSeconds(3 * 60 + 5) }, NOW)).toEqual({ text: 'expires in 3 min', tone: 'warn' });
    expect(statusLabel({ kind: 'valid', expiresOn: inSeconds(20) }, NOW).text).toBe('expires in 20 s');
  });
  it('shows expired, refreshing, needs sign-in', () => {
    expect(statusLabel({ kind: 'valid', expiresOn: inSeconds(-1) }, NOW).text).toBe('expired');
    expect(statusLabel({ kind: 'expired' }, NOW).text).toBe('expired');
    expect(statusLabel({ kind: 'refreshing' }, NOW).text).toBe('refreshing…');
    expect(statusLabel({ kind: 'valid', expiresOn: inSeconds(3600) }, NOW, true).text).toBe('refreshing…');
    expect(statusLabel({ kind: 'needs-sign-in', reason: 'x' }, NOW)).toEqual({ text: 'needs sign-in', tone: 'bad' });
  });
});

describe('helpers', () => {
  it('treats expiry as epoch seconds but tolerates milliseconds', () => {
    expect(toEpochMs(1_700_000_000)).toBe(1_700_000_000_000);
    expect(toEpochMs(1_700_000_000_000)).toBe(1_700_000_000_000);
  });
  it('formats durations', () => {
    expect(formatDuration(59_000)).toBe('59 s');
    expect(formatDuration(60 * 60_000)).toBe('1 h');
    expect(formatDuration(72 * 3600_000)).toBe('3 d');
  });
  it('builds avatar initials', () => {
    expect(initials({ displayName: 'Alice Example', username: 'alice@contoso.com' })).toBe('AE');
    expect(initials({ username: 'bob@contoso.com' })).toBe('BO');
    expect(initials({ username: 'jane.doe@contoso.com' })).toBe('JD');
  });
  it('parses scope lists', () => {
    expect(parseScopes(' a  b,c ')).toEqual(['a', 'b', 'c']);
    expect(parseScopes('')).toEqual([]);
  });
});
