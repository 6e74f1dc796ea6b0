/**
 * Builds the `tessera` command into CommonJS, dist/cli/tessera.cjs (plus chunks for rare subcommands), with Vite.
 *
 * Used by `npm run build:cli` and by the `bin` launcher (cli/tessera.cjs) when the bundle is
 * missing or older than its sources. Node built-ins stay external; everything else is bundled, and
 * the CLI imports nothing but built-ins and main/bridge/endpoint.ts, so the file stays small.
 * What only a rare subcommand needs (`exec --azure-identity`: an HTTP server) is a dynamic import,
 * which becomes a chunk file next to the entry, loaded when that subcommand runs — kubectl starts
 * the command on every call and should not load node:http for nothing.
 * Written to a temporary folder and renamed, chunks (named by content hash) before the entry, so a
 * second command starting meanwhile never loads half a file or a chunk of another build.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
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
        // Minified: a third of the size, and about a millisecond less to load on every call (the
        // command's messages are its own, so readable stack traces are not needed).
        minify: true,
        reportCompressedSize: false,
        rollupOptions: {
          external: (id) => builtins.has(id) || id.startsWith('node:'),
          output: { format: 'cjs', entryFileNames: 'tessera.cjs', chunkFileNames: 'chunk-[name]-[hash].cjs' },
        },
      },
      ssr: { noExternal: true, target: 'node' },
    });
    const chunks = readdirSync(temp).filter((name) => name.startsWith('chunk-'));
    for (const name of chunks) renameSync(join(temp, name), join(outDir, name));
    renameSync(join(temp, 'tessera.cjs'), join(outDir, 'tessera.cjs'));
    removeOldChunks(outDir, new Set(chunks));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return join(outDir, 'tessera.cjs');
}

// Chunks of earlier builds, once no command started before this build can still be loading them.
const OLD_CHUNK_AGE_MS = 60_000;

function removeOldChunks(outDir, current) {
  for (const name of readdirSync(outDir)) {
    if (!name.startsWith('chunk-') || current.has(name)) continue;
    const file = join(outDir, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > OLD_CHUNK_AGE_MS) rmSync(file, { force: true });
    } catch {
      // removed meanwhile by another build
    }
  }
}
