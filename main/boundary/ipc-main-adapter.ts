/**
 * Electron adapter: the only file that touches `ipcMain`.
 *
 * Registers one `ipcMain.handle` per operation of the contract, all served by a
 * {@link Dispatcher} (sender check, argument validation, error mapping), and forwards app events
 * to the main window.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { API_METHODS, EVENT_CHANNEL, invokeChannel, type AppEvent } from '../../preload/contract';
import type { Dispatcher } from './dispatch';

/**
 * Routes every `tessera:<method>` invoke to `dispatcher`.
 *
 * The sender is identified by `event.senderFrame`: a call without a frame (the frame navigated or
 * was destroyed meanwhile) is passed on with no URL and so refused. Returns a function that
 * removes the handlers.
 */
export function registerIpcHandlers(dispatcher: Dispatcher): () => void {
  for (const method of API_METHODS) {
    ipcMain.handle(invokeChannel(method), (event: IpcMainInvokeEvent, ...args: unknown[]) =>
      dispatcher.invoke(method, args, senderUrlOf(event)),
    );
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(invokeChannel(method));
  };
}

function senderUrlOf(event: IpcMainInvokeEvent): string | undefined {
  try {
    const frame = event.senderFrame;
    return frame && !frame.isDestroyed() ? frame.url : undefined;
  } catch {
    // Reading a frame that is going away throws; treat it as no sender.
    return undefined;
  }
}

/**
 * Sends an app event to the window's renderer, if the window is still there.
 *
 * Events carry only what the contract allows (no refresh tokens, no access tokens).
 */
export function forwardEvent(win: BrowserWindow | undefined, event: AppEvent): void {
  if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
  win.webContents.send(EVENT_CHANNEL, event);
}
