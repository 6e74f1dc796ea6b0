import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStaticFile } from '../../../main/browser-host/static-files';
import {
  CONTENT_SECURITY_POLICY,
  isInsideDir,
  readRendererFile,
  rendererFileHeaders,
  resolveRendererPath,
  SECURITY_HEADERS,
} from '../../../main/windows/renderer-serving';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** A CSP as a map of directive → sources. */
function parseCsp(policy: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const directive of policy.split(';').map((part) => part.trim()).filter(Boolean)) {
    const [name = '', ...sources] = directive.split(/\s+/);
    out.set(name, sources.join(' '));
  }
  return out;
}

describe('the one Content-Security-Policy', () => {
  it('allows no inline script or style and no eval, and forbids framing and form posts', () => {
    const csp = parseCsp(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|data:.*script|blob:/);
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('form-action')).toBe("'none'");
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it("is not loosened by the page's own meta policy, which only repeats it", async () => {
    // Both policies apply (the page must satisfy each); a drift in the meta must not go unseen.
    const html = await readFile(join(REPO_ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const served = parseCsp(CONTENT_SECURITY_POLICY);
    for (const [name, sources] of parseCsp(meta ?? '')) expect(`${name} ${sources}`).toBe(`${name} ${served.get(name)}`);
    expect(html).not.toMatch(/<style|\sstyle=/i);
  });
});

describe('resolveRendererPath', () => {
  const root = resolve('/opt/tessera/dist/renderer');

  it('serves index.html for the root and known types below the folder', () => {
    expect(resolveRendererPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveRendererPath(root, '')).toBe(join(root, 'index.html'));
    expect(resolveRendererPath(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveRendererPath(root, '/assets/my%20font.woff2')).toBe(join(root, 'assets', 'my font.woff2'));
  });

  it.each([
    '/..%2f..%2fetc%2fpasswd',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/%2E%2E/%2E%2E/x.js',
    '/..%5c..%5cwindows%5cwin.ini',
    '/%5c%5cserver%5cshare.js',
    '/C:%2fWindows%2fwin.ini',
    '/index.html%00.png',
    '/%E0%A4%A',
    '/key.pem',
    '/token-cache.bin',
    '/assets',
  ])('refuses %s', (path) => {
    expect(resolveRendererPath(root, path)).toBeUndefined();
  });

  it('never leaves the folder, whatever the path', () => {
    for (const path of ['/a/../../../etc/passwd.txt', '/./x.js', '//etc/passwd.txt', '/assets/../../x.js']) {
      const target = resolveRendererPath(root, path);
      expect(target === undefined || isInsideDir(root, target), path).toBe(true);
    }
  });
});

describe('isInsideDir', () => {
  const root = resolve('/opt/tessera/dist/renderer');

  it('accepts the directory and children, refuses siblings with a common prefix and parents', () => {
    expect(isInsideDir(root, root)).toBe(true);
    expect(isInsideDir(root, join(root, 'a', 'b.js'))).toBe(true);
    expect(isInsideDir(root, `${root}-evil/x.js`)).toBe(false);
    expect(isInsideDir(root, resolve(root, '..'))).toBe(false);
    expect(isInsideDir(root, join(root, '..foo'))).toBe(true);
  });
});

describe('readRendererFile', () => {
  let dir: string;
  let outside: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-serving-'));
    outside = await mkdtemp(join(tmpdir(), 'tessera-serving-outside-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'assets', 'app-1.js'), 'export {};');
    await writeFile(join(outside, 'token-cache.json'), '{"secret":"s3cr3t"}');
    await symlink(join(outside, 'token-cache.json'), join(dir, 'leak.json'));
    await symlink(outside, join(dir, 'linked'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('reads files with their type; only hashed assets may be cached', async () => {
    const page = await readRendererFile(dir, '/');
    expect(page?.body.toString()).toContain('<title>t</title>');
    expect(page?.contentType).toBe('text/html; charset=utf-8');
    expect(page?.immutable).toBe(false);
    const script = await readRendererFile(dir, '/assets/app-1.js');
    expect(script?.contentType).toBe('text/javascript; charset=utf-8');
    expect(script?.immutable).toBe(true);
    expect(rendererFileHeaders(script!)['Cache-Control']).toContain('immutable');
    expect(rendererFileHeaders(page!)['Cache-Control']).toBe('no-store');
  });

  it('does not follow a symbolic link out of the folder, and serves no directory or missing file', async () => {
    for (const path of ['/leak.json', '/linked/token-cache.json', '/assets/', '/missing.js']) {
      expect(await readRendererFile(dir, path), path).toBeUndefined();
    }
  });

  it("is what browser mode serves, with the same headers as the app:// protocol's", async () => {
    const viaBrowserMode = await readStaticFile(dir, '/assets/app-1.js');
    const shared = await readRendererFile(dir, '/assets/app-1.js');
    expect(viaBrowserMode?.body.equals(shared!.body)).toBe(true);
    expect(viaBrowserMode?.headers).toEqual(rendererFileHeaders(shared!));
    expect(await readStaticFile(dir, '/leak.json')).toBeUndefined();
  });
});
