import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, decideNavigation, isSignInNavigationAllowed, isTrustedAppUrl, resolveAppRequest } from '../../../main/windows/policy';

describe('resolveAppRequest', () => {
  it('hands on the still-encoded path of app://tessera requests, without query or fragment', () => {
    expect(resolveAppRequest('app://tessera/')).toEqual({ kind: 'path', urlPath: '/' });
    expect(resolveAppRequest(APP_ENTRY_URL)).toEqual({ kind: 'path', urlPath: '/index.html' });
    expect(resolveAppRequest('app://tessera/assets/my%20font.woff2?v=1#x')).toEqual({ kind: 'path', urlPath: '/assets/my%20font.woff2' });
    // URL parsing folds dot segments but not encoded slashes; renderer-serving.ts refuses those.
    expect(resolveAppRequest('app://tessera/a/../../etc/passwd')).toEqual({ kind: 'path', urlPath: '/etc/passwd' });
    expect(resolveAppRequest('app://tessera/..%2f..%2fetc%2fpasswd')).toEqual({ kind: 'path', urlPath: '/..%2f..%2fetc%2fpasswd' });
  });

  it.each([
    'app://other/index.html',
    'app://tessera.evil/index.html',
    'app://tessera:8080/index.html',
    'app://user:pw@tessera/index.html',
    'file:///etc/passwd',
    'https://tessera/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppRequest(url).kind).toBe('forbidden');
  });
});

describe('isTrustedAppUrl', () => {
  it('trusts the app origin only', () => {
    expect(isTrustedAppUrl('app://tessera/index.html')).toBe(true);
    expect(isTrustedAppUrl('app://tessera/settings#x')).toBe(true);
    for (const url of [
      'app://tessera.evil/index.html',
      'app://evil/index.html',
      'app://tessera:1/index.html',
      'app://a@tessera/index.html',
      'https://tessera/index.html',
      'http://localhost:5173/',
      'file:///opt/tessera/resources/app.asar/dist/renderer/index.html',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
      'data:text/html,hi',
      '',
      'garbage',
    ]) {
      expect(isTrustedAppUrl(url), url).toBe(false);
    }
  });

  it('trusts an exact packaged file URL when given, ignoring query and fragment', () => {
    const fileUrls = ['file:///opt/tessera/resources/app.asar/dist/renderer/index.html'];
    expect(isTrustedAppUrl('file:///opt/tessera/resources/app.asar/dist/renderer/index.html#/accounts', { fileUrls })).toBe(true);
    expect(isTrustedAppUrl('file:///opt/tessera/resources/app.asar/dist/renderer/other.html', { fileUrls })).toBe(false);
    expect(isTrustedAppUrl('file:///tmp/index.html', { fileUrls })).toBe(false);
  });
});

describe('decideNavigation', () => {
  it('opens allow-listed https links externally and denies the rest', () => {
    expect(decideNavigation('https://learn.microsoft.com/entra/identity-platform/')).toEqual({
      kind: 'open-external',
      url: 'https://learn.microsoft.com/entra/identity-platform/',
    });
    for (const url of [
      'http://learn.microsoft.com/',
      'https://learn.microsoft.com.evil.example/',
      'https://evil.example/?https://learn.microsoft.com/',
      'https://user@learn.microsoft.com/',
      'https://learn.microsoft.com:8443/',
      'https://sub.github.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'app://tessera/index.html',
      'smb://server/share',
      'not a url',
    ]) {
      expect(decideNavigation(url), url).toEqual({ kind: 'deny' });
    }
  });

  it('uses a given allow-list', () => {
    expect(decideNavigation('https://docs.example/', ['docs.example'])).toMatchObject({ kind: 'open-external' });
    expect(decideNavigation('https://github.com/', ['docs.example'])).toEqual({ kind: 'deny' });
  });
});

describe('isSignInNavigationAllowed', () => {
  it('allows https and loopback http only', () => {
    expect(isSignInNavigationAllowed('https://login.microsoftonline.com/common/oauth2/v2.0/authorize')).toBe(true);
    expect(isSignInNavigationAllowed('http://127.0.0.1:4000/oidc/auth')).toBe(true);
    expect(isSignInNavigationAllowed('http://localhost:4000/')).toBe(true);
    expect(isSignInNavigationAllowed('http://example.com/')).toBe(false);
    expect(isSignInNavigationAllowed('file:///etc/passwd')).toBe(false);
    expect(isSignInNavigationAllowed('javascript:alert(1)')).toBe(false);
    expect(isSignInNavigationAllowed('app://tessera/index.html')).toBe(false);
  });
});
