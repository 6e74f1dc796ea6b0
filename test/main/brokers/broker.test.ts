import { describe, expect, it } from 'vitest';
import { matchesRedirect } from '../../../main/brokers/broker';

describe('matchesRedirect', () => {
  const redirect = 'http://localhost:1234/cb';

  it('accepts the redirect URI with any query or fragment', () => {
    expect(matchesRedirect('http://localhost:1234/cb?code=x&state=y', redirect)).toBe(true);
    expect(matchesRedirect('http://LOCALHOST:1234/cb#code=x', redirect)).toBe(true);
    expect(matchesRedirect('https://login.microsoftonline.com:443/common/oauth2/nativeclient?code=1', 'https://login.microsoftonline.com/common/oauth2/nativeclient')).toBe(true);
  });

  it('rejects look-alikes that a startsWith check would accept', () => {
    expect(matchesRedirect('http://localhost:1234/cb.evil.com', redirect)).toBe(false);
    expect(matchesRedirect('http://localhost:1234/cb/extra?code=x', redirect)).toBe(false);
    expect(matchesRedirect('http://localhost:1234/cbx?code=x', redirect)).toBe(false);
    expect(matchesRedirect('http://localhost:12345/cb?code=x', redirect)).toBe(false);
  });

  it('rejects user info, which can hide the real host', () => {
    expect(matchesRedirect('http://localhost:1234@evil.com/cb?code=x', redirect)).toBe(false);
    expect(matchesRedirect('http://user:pass@localhost:1234/cb?code=x', redirect)).toBe(false);
  });

  it('rejects other schemes, hosts, ports, encoded paths and garbage', () => {
    expect(matchesRedirect('https://localhost:1234/cb', redirect)).toBe(false);
    expect(matchesRedirect('http://127.0.0.1:1234/cb', redirect)).toBe(false);
    expect(matchesRedirect('http://localhost/cb', redirect)).toBe(false);
    expect(matchesRedirect('http://localhost:1234/c%62', redirect)).toBe(false);
    expect(matchesRedirect('not a url', redirect)).toBe(false);
    expect(matchesRedirect('http://localhost:1234/cb', 'not a url')).toBe(false);
  });
});
