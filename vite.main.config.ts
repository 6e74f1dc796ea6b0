/**
 * Vite build of the Electron main process: `main/index.ts` → `dist/main/index.js` (ESM).
 *
 * Electron 45 runs ESM main entries. `electron`, Node built-ins and the runtime `dependencies` of
 * package.json stay external (electron-builder ships the latter in the asar's `node_modules`);
 * everything else — our own code and any dev-only helper it imports — is bundled.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const packageJson = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
};
const runtimeDependencies = Object.keys(packageJson.dependencies ?? {});
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** Whether an import stays a runtime `import` instead of being bundled. */
function isExternal(id: string): boolean {
  if (id === 'electron' || id.startsWith('electron/')) return true;
  if (builtins.has(id) || id.startsWith('node:')) return true;
  return runtimeDependencies.some((name) => id === name || id.startsWith(`${name}/`));
}

export default defineConfig({
  // No public dir and no .env files: the main bundle holds code only.
  publicDir: false,
  envPrefix: 'TESSERA_BUILD_',
  build: {
    ssr: 'main/index.ts',
    outDir: 'dist/main',
    emptyOutDir: true,
    target: 'node22',
    sourcemap: false,
    minify: false,
    reportCompressedSize: false,
    rollupOptions: {
      external: isExternal,
      output: { format: 'es', entryFileNames: 'index.js' },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
