/**
 * Builds the renderer when `dist/renderer` is missing or older than its sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when `dist/renderer/index.html` is missing or older than `renderer/` or the contract. */
export function rendererBuildIsStale(root: string): boolean {
  const built = join(root, 'dist', 'renderer', 'index.html');
  if (!existsSync(built)) return true;
  const sources = [join(root, 'renderer'), join(root, 'preload', 'contract.ts'), join(root, 'vite.renderer.config.ts')].filter((path) => existsSync(path));
  // Without sources (a packaged build) the bundle is all there is.
  if (sources.length === 0) return false;
  const builtAt = statSync(built).mtimeMs;
  return sources.some((path) => newestMtime(path) > builtAt);
}

/** Runs Vite's build of the renderer (a dev dependency: source checkouts only). */
export async function buildRenderer(root: string): Promise<void> {
  const vite = await import('vite');
  await vite.build({ configFile: join(root, 'vite.renderer.config.ts'), logLevel: 'error' });
}
