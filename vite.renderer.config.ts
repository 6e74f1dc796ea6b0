/**
 * Vite build of the renderer: `renderer/` → `dist/renderer/`, relative asset URLs so the same
 * bundle loads from a custom protocol (Electron) and from the browser-mode host.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The renderer's Vite configuration. */
export const rendererConfig = defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The CSP allows only same-origin scripts: no inline module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});

// Vite loads the default export of its config file.
export default rendererConfig;
