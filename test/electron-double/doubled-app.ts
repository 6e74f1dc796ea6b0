/**
 * Runs the built main bundle against the Electron double in a child process (driver.ts) and talks
 * to it: shared by `main-process.test.ts` and the hardening table's Electron checklist.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { API_METHODS} from '../../preload/contract';
import { invokeChannel, type Result } from '../../preload/contract';
import { KEYRING_MAGIC, type RecordedCall } from './electron';

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const DRIVER = join(REPO_ROOT, 'test', 'electron-double', 'driver.ts');
/** The page the main window loads. */
export const APP_PAGE = 'app://tessera/index.html';

/**
 * Builds the main bundle with `vite.main.config.ts` into `test-results/electron-double/<name>/`,
 * with a minimal renderer next to it where main/index.ts looks for one; returns the bundle's path.
 *
 * Inside the repository, so the bundle's runtime dependencies resolve from node_modules.
 */
export async function buildMainBundle(name: string): Promise<string> {
  const outDir = join(REPO_ROOT, 'test-results', 'electron-double', name, 'dist');
  const vite = await import('vite');
  await vite.build({ configFile: join(REPO_ROOT, 'vite.main.config.ts'), build: { outDir: join(outDir, 'main'), emptyOutDir: true }, logLevel: 'error' });
  await mkdir(join(outDir, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(outDir, 'renderer', 'index.html'), '<!doctype html><title>Tessera</title><script type="module" src="./assets/app-1.js"></script>');
  await writeFile(join(outDir, 'renderer', 'assets', 'app-1.js'), 'export {};');
  return join(outDir, 'main', 'index.js');
}

/** A window as the driver reports it. */
export interface WindowView {
  readonly id: number;
  readonly title: string;
  readonly webPreferences: Record<string, unknown>;
  readonly partition: string;
  readonly url: string;
  readonly destroyed: boolean;
  readonly visible: boolean;
  readonly contentsEvents: readonly string[];
  readonly windowEvents: readonly string[];
  readonly hasWindowOpenHandler: boolean;
}

/** A menu item without its click handler. */
export interface MenuItemView {
  readonly id?: string;
  readonly label?: string;
  readonly submenu?: readonly MenuItemView[];
}

/** What the driver reports of the double's state. */
export interface Snapshot {
  readonly calls: readonly RecordedCall[];
  readonly ready: boolean;
  readonly quitted: boolean;
  readonly exitCode: number | null;
  readonly handleRegistrations: readonly string[];
  readonly ipcChannels: readonly string[];
  readonly protocols: readonly string[];
  readonly openedExternally: readonly string[];
  readonly windows: readonly WindowView[];
  readonly sessions: readonly { partition: string; permissionRequestHandler: boolean; permissionCheckHandler: boolean; devicePermissionHandler: boolean }[];
  readonly trays: readonly { destroyed: boolean; menu: readonly MenuItemView[] }[];
  readonly appEvents: readonly string[];
}

/** The main process in a child, driven over IPC. */
export class DoubledApp {
  readonly output: string[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #started: Promise<void>;
  #next = 1;

  constructor(env: Record<string, string>) {
    this.#child = fork(DRIVER, [], {
      execArgv: ['--import', 'tsx'],
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.#child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.#started = new Promise((resolveStarted, rejectStarted) => {
      this.#child.once('exit', (code) => {
        const error = new Error(`driver exited (${code}): ${this.output.join('').slice(-2000)}`);
        rejectStarted(error);
        for (const pending of this.#pending.values()) pending.reject(error);
      });
      this.#child.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
        if (message.id === 0) return resolveStarted();
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.ok) pending?.resolve(message.result);
        else pending?.reject(new Error(message.error));
      });
    });
  }

  async request<T = unknown>(op: string, fields: Record<string, unknown> = {}): Promise<T> {
    await this.#started;
    const id = this.#next++;
    return new Promise<T>((resolveRequest, reject) => {
      this.#pending.set(id, { resolve: resolveRequest as (value: unknown) => void, reject });
      this.#child.send({ ...fields, id, op });
    });
  }

  snapshot(): Promise<Snapshot> {
    return this.request<Snapshot>('snapshot');
  }

  invoke<T>(method: string, args: unknown[], senderUrl: string | null = APP_PAGE): Promise<Result<T>> {
    return this.request<Result<T>>('invoke', { channel: invokeChannel(method as (typeof API_METHODS)[number]), senderUrl, args });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    await new Promise<void>((resolveStop) => {
      this.#child.once('exit', () => resolveStop());
      this.#child.kill('SIGTERM');
    });
  }
}

/** The secure webPreferences every window must have. */
export function expectLockedDown(win: WindowView): void {
  expect(win.webPreferences.contextIsolation, `window "${win.title}" contextIsolation`).toBe(true);
  expect(win.webPreferences.sandbox, `window "${win.title}" sandbox`).toBe(true);
  expect(win.webPreferences.nodeIntegration, `window "${win.title}" nodeIntegration`).toBe(false);
  expect(win.webPreferences.nodeIntegrationInSubFrames ?? false, `window "${win.title}" nodeIntegrationInSubFrames`).toBe(false);
  expect(win.webPreferences.webSecurity ?? true, `window "${win.title}" webSecurity`).toBe(true);
  expect(win.webPreferences.allowRunningInsecureContent ?? false, `window "${win.title}" allowRunningInsecureContent`).toBe(false);
  expect(win.webPreferences.webviewTag ?? false, `window "${win.title}" webviewTag`).toBe(false);
}

/** Whether some string in a stored JSON value is base64 of the keyring double's ciphertext. */
export function holdsKeyringCiphertext(value: unknown): boolean {
  if (typeof value === 'string') return Buffer.from(value, 'base64').subarray(0, KEYRING_MAGIC.length).equals(KEYRING_MAGIC);
  if (value && typeof value === 'object') return Object.values(value).some(holdsKeyringCiphertext);
  return false;
}

/** Every item id of a menu, submenus included. */
export function menuIds(items: readonly MenuItemView[]): string[] {
  return items.flatMap((item) => [...(item.id ? [item.id] : []), ...menuIds(item.submenu ?? [])]);
}

/** Polls `read` until `done` holds; throws naming `what` after `ms`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

/** Calls that configure Electron before `ready` and touch no app data; only these may precede the lock. */
export const PRE_LOCK_CONFIGURATION = new Set(['app.setPath', 'protocol.registerSchemesAsPrivileged', 'app.enableSandbox', 'app.commandLine.appendSwitch']);

