/**
 * Where the local token channel lives, and the ownership checks on it.
 *
 * A Unix domain socket in a private folder: `$XDG_RUNTIME_DIR/tessera/bridge.sock` when the session
 * has a runtime folder (per user, mode 0700, cleared at logout — XDG Base Directory spec), else
 * `<data folder>/bridge/bridge.sock`; a named pipe on Windows. Never a TCP port: a socket file in a
 * 0700 folder can be opened only by its user (and root), which is the whole access check.
 *
 * Both ends check the folder and the socket before trusting them: another user's folder or socket,
 * or one that others can write to, is refused (someone could have put their own server there).
 *
 * Plain `node:` imports only: the `tessera` command bundles this file and must start fast.
 */
import { chmodSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** The socket's file name inside its folder. */
export const SOCKET_NAME = 'bridge.sock';

/** Unix socket paths are limited to about 107 bytes (`sun_path`); longer ones fail to bind. */
export const MAX_SOCKET_PATH = 104;

/** What a host needs to place its endpoint. */
export interface EndpointPlacement {
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  /** The app's data folder; used when there is no `XDG_RUNTIME_DIR`. */
  readonly dataDir: string;
}

/** An endpoint: the socket path (or pipe name) and, for a socket, its private folder. */
export interface Endpoint {
  readonly path: string;
  /** Absent for a Windows named pipe. */
  readonly dir?: string;
}

/** The per-user pipe name on Windows (pipes live in one machine-wide namespace, so the user is part of it). */
export function windowsPipeName(env: NodeJS.ProcessEnv = process.env): string {
  const user = env.USERNAME ?? safeUserName();
  const tag = fnv1a(`${env.USERDOMAIN ?? ''}\\${user}`.toLowerCase());
  return `\\\\.\\pipe\\tessera-bridge-${tag}`;
}

/**
 * The endpoint a host listens on.
 *
 * `TESSERA_SOCKET` overrides the path (tests, and users who want it elsewhere).
 */
export function hostEndpoint(placement: EndpointPlacement): Endpoint {
  const platform = placement.platform ?? process.platform;
  const env = placement.env ?? process.env;
  if (platform === 'win32') return { path: env.TESSERA_SOCKET || windowsPipeName(env) };
  if (env.TESSERA_SOCKET) return { path: env.TESSERA_SOCKET, dir: dirname(env.TESSERA_SOCKET) };
  const dir = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'tessera') : join(placement.dataDir, 'bridge');
  return { path: join(dir, SOCKET_NAME), dir };
}

/**
 * The endpoints a client tries, in order: `TESSERA_SOCKET`, the runtime folder, then the default
 * data folders of the desktop app and of browser mode.
 */
export function clientEndpoints(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Endpoint[] {
  if (platform === 'win32') return [{ path: env.TESSERA_SOCKET || windowsPipeName(env) }];
  if (env.TESSERA_SOCKET) return [{ path: env.TESSERA_SOCKET, dir: dirname(env.TESSERA_SOCKET) }];
  const dirs: string[] = [];
  if (env.XDG_RUNTIME_DIR) dirs.push(join(env.XDG_RUNTIME_DIR, 'tessera'));
  else {
    const home = env.HOME || homedir();
    if (platform === 'darwin') {
      const support = join(home, 'Library', 'Application Support');
      dirs.push(join(support, 'Tessera', 'bridge'), join(support, 'Tessera', 'browser-mode', 'bridge'));
    } else {
      const config = env.XDG_CONFIG_HOME || join(home, '.config');
      dirs.push(join(config, 'Tessera', 'bridge'), join(config, 'tessera', 'browser-mode', 'bridge'));
    }
  }
  return dirs.map((dir) => ({ path: join(dir, SOCKET_NAME), dir }));
}

/** Why an endpoint is not trusted. */
export class UnsafeEndpointError extends Error {
  override readonly name = 'UnsafeEndpointError';
  readonly code = 'unsafe_endpoint';
}

/** 32-bit FNV-1a as hex: a short, stable tag (not a secret; node:crypto would slow the command's start). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
}

/** Group- or world-writable. */
function writableByOthers(stats: Stats): boolean {
  return (stats.mode & 0o022) !== 0;
}

/**
 * Checks a socket folder: a real directory (not a link), ours, not writable by others.
 * Throws {@link UnsafeEndpointError} naming the folder and what to do.
 */
export function checkPrivateDir(dir: string, uid = currentUid()): Stats {
  const stats = lstatSync(dir);
  if (stats.isSymbolicLink() || !stats.isDirectory()) throw new UnsafeEndpointError(`${dir} is not a plain folder; remove it and start Tessera again.`);
  if (uid !== undefined && stats.uid !== uid) throw new UnsafeEndpointError(`${dir} belongs to another user; refusing to use it. Remove it, or set TESSERA_SOCKET.`);
  if (writableByOthers(stats)) throw new UnsafeEndpointError(`${dir} can be written by other users; refusing to use it. Run: chmod 700 ${dir}`);
  return stats;
}

/**
 * Checks a socket before a client connects to it: a socket, ours, not writable by others, in a
 * folder that passes {@link checkPrivateDir}. Missing files throw the `ENOENT` error as is.
 */
export function checkSocket(endpoint: Endpoint, uid = currentUid()): void {
  if (!endpoint.dir) return; // a Windows pipe has no file to check
  checkPrivateDir(endpoint.dir, uid);
  const stats = lstatSync(endpoint.path);
  if (!stats.isSocket()) throw new UnsafeEndpointError(`${endpoint.path} is not a socket; refusing to use it. Remove it and start Tessera again.`);
  if (uid !== undefined && stats.uid !== uid) throw new UnsafeEndpointError(`${endpoint.path} belongs to another user; refusing to use it.`);
  if (writableByOthers(stats)) throw new UnsafeEndpointError(`${endpoint.path} can be written by other users; refusing to use it. Restart Tessera to recreate it.`);
}

/**
 * Creates the socket folder (mode 0700) if needed and checks it; a folder we own with read or
 * search bits for others is tightened to 0700.
 */
export function preparePrivateDir(dir: string, uid = currentUid()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stats = checkPrivateDir(dir, uid);
  if ((stats.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
