/**
 * Serves the built renderer (`dist/renderer/`) read-only, with no directory listing and no path
 * escaping the folder, not even through a symbolic link.
 */
import { readFile, realpath } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** A file to send. */
export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Hashed assets may be cached; `index.html` must not be. */
  readonly immutable: boolean;
}

/** Resolves a URL path inside `root`; undefined for anything outside it or unknown. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const full = resolve(base, relative);
  if (full !== base && !full.startsWith(base + sep)) return undefined;
  if (!(extname(full) in CONTENT_TYPES)) return undefined;
  return full;
}

/** Reads a static file, or undefined when it does not exist or its real path is outside `root`. */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  const path = resolveStaticPath(root, urlPath);
  if (!path) return undefined;
  try {
    // The lexical check above does not see symbolic links; the real paths must agree too.
    const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
    if (!realPath.startsWith(realRoot + sep)) return undefined;
    const body = await readFile(realPath);
    return { body, contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', immutable: path.includes(`${sep}assets${sep}`) };
  } catch {
    return undefined;
  }
}
