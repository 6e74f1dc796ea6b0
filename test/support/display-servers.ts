/**
 * Real display servers for clipboard tests: Xvfb (X11) and Weston (Wayland, nested in Xvfb).
 *
 * Each call starts a private server on a free display, so test files can run side by side, and
 * `stop()` ends it and removes everything it created. The clipboard tools' background processes
 * end with their display.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from './requires';

/** A running display server. */
export interface DisplayServer {
  /** Environment variables that point clients at it (`DISPLAY`, or `WAYLAND_DISPLAY` + `XDG_RUNTIME_DIR`). */
  readonly env: Readonly<Record<string, string>>;
  /** Ends the server and removes its files. */
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts Xvfb on a display it picks itself (`-displayfd`), listening on no TCP port.
 *
 * Undefined when Xvfb is not installed (`apt-get install xvfb`).
 */
export async function startXvfb(): Promise<DisplayServer | undefined> {
  if (!onPath('Xvfb')) return undefined;
  const child = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '640x480x24'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const displayNumber = await new Promise<string>((resolve, reject) => {
    let text = '';
    const pipe = child.stdio[3] as NodeJS.ReadableStream;
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it chose a display.`)));
    child.once('error', reject);
  });
  return { env: { DISPLAY: `:${displayNumber}` }, stop: () => stopProcess(child) };
}

/**
 * Starts Weston with its X11 backend inside the given Xvfb, in a runtime folder of its own.
 *
 * Weston's headless backend has no seat, and the clipboard belongs to a seat, so wl-copy answers
 * "Missing a seat" there; the X11 backend gets its seat from the X server. Resolves once a
 * wl-copy / wl-paste round trip works. Undefined when Weston or wl-clipboard is not installed or
 * Weston cannot start here.
 */
export async function startWeston(x11: DisplayServer): Promise<DisplayServer | undefined> {
  if (!onPath('weston') || !onPath('wl-copy') || !onPath('wl-paste')) return undefined;
  const runtimeDir = mkdtempSync(join(tmpdir(), 'tessera-wayland-'));
  chmodSync(runtimeDir, 0o700);
  const socket = 'wayland-tessera';
  const child = spawn('weston', ['--no-config', '--backend=x11-backend.so', '--use-pixman', '--shell=kiosk-shell.so', '--idle-time=0', `--socket=${socket}`], {
    stdio: 'ignore',
    env: { ...process.env, ...x11.env, XDG_RUNTIME_DIR: runtimeDir, WAYLAND_DISPLAY: '' },
  });
  const env = { XDG_RUNTIME_DIR: runtimeDir, WAYLAND_DISPLAY: socket };
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    rmSync(runtimeDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (existsSync(join(runtimeDir, socket)) && roundTrip(env)) return { env, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  return undefined;
}

function roundTrip(env: Record<string, string>): boolean {
  const clientEnv = { ...process.env, ...env };
  // wl-copy forks a server that keeps its stdio: give it none, or spawnSync waits for that server.
  const copied = spawnSync('sh', ['-c', 'printf ready | wl-copy >/dev/null 2>&1'], { env: clientEnv, stdio: 'ignore', timeout: 5_000 });
  if (copied.status !== 0) return false;
  const pasted = spawnSync('wl-paste', ['--no-newline'], { env: clientEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
  return pasted.status === 0 && pasted.stdout === 'ready';
}
