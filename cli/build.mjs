/**
 * Builds the `tessera` command into one CommonJS file, dist/cli/tessera.cjs, with Vite.
 *
 * Used by `npm run build:cli` and by the `bin` launcher (cli/tessera.cjs) when the bundle is
 * missing or older than its sources. Node built-ins stay external; everything else is bundled, and
 * the CLI imports nothing but built-ins and main/bridge/endpoint.ts, so the file stays small.
 * Written to a temporary name and renamed, so a second command starting meanwhile never loads half
 * a file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

/** The bundle's path under the repository (or app) root. */
export function bundlePath(root) {
  return join(root, 'dist', 'cli', 'tessera.cjs');
}

/** Builds the bundle (into `outDir`, by default `<root>/dist/cli`); resolves with its path. */
export async function buildCli(root, outDir = join(root, 'dist', 'cli')) {
  const { build } = await import('vite');
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version ?? 'dev';
  const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
  const temp = join(outDir, `.build-${process.pid}-${Date.now()}`);
  mkdirSync(outDir, { recursive: true });
  try {
    await build({
      configFile: false,
      root,
      logLevel: 'warn',
      publicDir: false,
      envPrefix: 'TESSERA_BUILD_',
      define: { TESSERA_VERSION: JSON.stringify(version) },
      build: {
        ssr: join(root, 'cli', 'tessera.ts'),
        outDir: temp,
        emptyOutDir: true,
        target: 'node20',
        sourcemap: false,
        minify: false,
        reportCompressedSize: false,
        rollupOptions: {
          external: (id) => builtins.has(id) || id.startsWith('node:'),
          output: { format: 'cjs', entryFileNames: 'tessera.cjs' },
        },
      },
      ssr: { noExternal: true, target: 'node' },
    });
    renameSync(join(temp, 'tessera.cjs'), join(outDir, 'tessera.cjs'));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return join(outDir, 'tessera.cjs');
}
