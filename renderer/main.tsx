/**
 * Renderer entry: picks `window.api` (the preload's in Electron, the HTTP client in browser mode),
 * builds the store and mounts the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { RendererApi } from '../preload/contract';
import { createBrowserApi, takeSecret } from './api/browser-api';
import { App } from './app';
import { connectEvents, createAppStore, StoreContext } from './store';
import './styles.css';

declare global {
  interface Window {
    /** Installed by the preload in Electron; absent in browser mode until main.tsx installs it. */
    api?: RendererApi;
  }
}

function resolveApi(): RendererApi | null {
  if (window.api) return window.api;
  const secret = takeSecret(window.location, window.history, window.sessionStorage);
  if (!secret) return null;
  const api = createBrowserApi(secret);
  window.api = api;
  return api;
}

const root = createRoot(document.getElementById('root') as HTMLElement);
const api = resolveApi();
if (!api) {
  root.render(
    <main className="locked">
      <h1>Tessera</h1>
      <p>Open the link Tessera printed when it started: it carries this session&apos;s key.</p>
    </main>,
  );
} else {
  const store = createAppStore(api);
  connectEvents(store, api);
  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
}
