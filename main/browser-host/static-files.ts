/**
 * Serves the built renderer (`dist/renderer/`) for browser mode: read-only, no directory listing,
 * no path escaping the folder (not even through a symbolic link), only known file types.
 *
 * The rules are the Electron window's, from `../windows/renderer-serving.ts`; this file only
 * adapts them to the host's `(root, URL path)` calls.
 */
import { readRendererFile, rendererFileHeaders, resolveRendererPath, type RendererFile } from '../windows/renderer-serving';

/** A file to send, with its full header set. */
export interface StaticFile extends RendererFile {
  /** Security headers, `Content-Type` and `Cache-Control`, the same as the `app://` protocol's. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Resolves a URL path inside `root`; undefined for anything outside it or of an unserved type. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  return resolveRendererPath(root, urlPath);
}

/** Reads a static file, or undefined when it is refused, missing, or its real path is outside `root`. */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  const file = await readRendererFile(root, urlPath);
  return file ? { ...file, headers: rendererFileHeaders(file) } : undefined;
}
