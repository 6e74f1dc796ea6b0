/**
 * The preload bridge: the only file that touches `ipcRenderer`.
 *
 * Exposes `window.api` (a {@link RendererApi}) with one function per operation of the contract
 * and `onEvent`. The renderer never sees `ipcRenderer`, an IPC event object or a channel name.
 * Bundled to one CommonJS file (`dist/preload/index.cjs`), because sandboxed preloads can only
 * `require` a few built-in modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS, EVENT_CHANNEL, invokeChannel, type AppEvent, type RendererApi } from './contract';

function buildApi(): RendererApi {
  const api: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    // Forward only the arguments; main validates every one of them.
    api[method] = (...args: unknown[]) => ipcRenderer.invoke(invokeChannel(method), ...args);
  }
  api.onEvent = (listener: (event: AppEvent) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent expects a function.');
    // Hand over the payload only, never Electron's event object (it exposes `sender`).
    const wrapped = (_event: IpcRendererEvent, payload: AppEvent): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  };
  return Object.freeze(api) as RendererApi;
}

contextBridge.exposeInMainWorld('api', buildApi());
