import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  decideNavigation,
  isInsideDir,
  isSignInNavigationAllowed,
  isTrustedAppUrl,
  resolveAppRequest,
  securityHeaders,
} from '../../../main/windows/policy';

const root = resolve('/opt/tessera/dist/renderer');

describe('CONTENT_SECURITY_POLICY', () => {
  it('is the strict policy of the security spec', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(securityHeaders('text/html')['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(securityHeaders('text/html')['x-content-type-options']).toBe('nosniff');
  });
});

describe('resolveAppRequest', () => {
  it('serves index.html for the root and files below the renderer directory', () => {
    expect(resolveAppRequest(root, 'app://tessera/')).toEqual({ kind: 'file', path: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppRequest(root, APP_ENTRY_URL)).toMatchObject({ kind: 'file', path: join(root, 'index.html') });
    expect(resolveAppRequest(root, 'app://tessera/assets/index-abc.js?v=1#x')).toEqual({
      kind: 'file',
      path: join(root, 'assets', 'index-abc.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppRequest(root, 'app://tessera/assets/my%20font.woff2')).toMatchObject({ kind: 'file', path: join(root, 'assets', 'my font.woff2') });
    expect(resolveAppRequest(root, 'app://tessera/data.bin')).toMatchObject({ contentType: 'application/octet-stream' });
  });

  it.each([
    'app://tessera/..%2f..%2fetc%2fpasswd',
    'app://tessera/..%5c..%5cwindows%5cwin.ini',
    'app://tessera/%5c%5cserver%5cshare',
    'app://tessera/C:%2fWindows%2fwin.ini',
    'app://tessera/index.html%00.png',
    'app://tessera/%E0%A4%A',
    'app://other/index.html',
    'app://tessera:8080/index.html',
    'app://user:pw@tessera/index.html',
    'file:///etc/passwd',
    'https://tessera/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppRequest(root, url).kind).toBe('forbidden');
  });

  it('cannot be walked out of by URL-folded dot segments either', () => {
    // WHATWG parsing folds these before we see them; the result must stay inside the root.
    for (const url of ['app://tessera/a/../../../etc/passwd', 'app://tessera/%2e%2e/%2e%2e/etc/passwd', 'app://tessera/assets/%2E%2E/%2E%2E/x']) {
      const target = resolveAppRequest(root, url);
      expect(target.kind === 'forbidden' || isInsideDir(root, target.path), url).toBe(true);
    }
  });
});

describe('isInsideDir', () => {
  it('accepts the directory and children, refuses siblings with a common prefix and parents', () => {
    expect(isInsideDir(root, root)).toBe(true);
    expect(isInsideDir(root, join(root, 'a', 'b.js'))).toBe(true);
    expect(isInsideDir(root, `${root}-evil/x.js`)).toBe(false);
    expect(isInsideDir(root, resolve(root, '..'))).toBe(false);
    expect(isInsideDir(root, join(root, '..foo'))).toBe(true);
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
