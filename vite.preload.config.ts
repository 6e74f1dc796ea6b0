/**
 * Vite build of the preload bridge: `preload/index.ts` → `dist/preload/index.cjs`.
 *
 * A sandboxed preload can only `require` a few modules (`electron`, `events`, `timers`, `url`), so
 * the contract is bundled in and the output is one CommonJS file with `electron` external.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  envPrefix: 'TESSERA_BUILD_',
  build: {
    ssr: 'preload/index.ts',
    outDir: 'dist/preload',
    emptyOutDir: true,
    target: 'node22',
    sourcemap: false,
    minify: false,
    reportCompressedSize: false,
    rollupOptions: {
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: 'index.cjs', codeSplitting: false },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
