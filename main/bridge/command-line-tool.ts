/**
 * "Install command-line tool": puts a `tessera` launcher in a per-user bin folder, as VS Code's
 * "Install 'code' command in PATH" does, without administrator rights.
 *
 * Where the native client (cli/native) was built, the launcher is a link to it: it answers
 * `tessera token` without Node and hands every other command to the Node client — a link, not a
 * script, because a shell in between costs more than a millisecond of a 4 ms call. Otherwise the
 * launcher is a tiny script that runs the app's bundled command with Node (Electron's own
 * run-as-Node mode is switched off by a fuse in release builds, see electron-builder.config.cjs).
 * A script carries a marker line and a link points at a file named `tessera-native`, so an install
 * replaces only a launcher of ours and never a `tessera` the user put there themselves.
 */
import { accessSync, chmodSync, constants, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import type { CommandLineTool } from '../../preload/contract';
import { AppError } from '../errors';
import type { CommandLineInstaller } from './bridge-api';

/** The marker line of a launcher written by Tessera. */
export const LAUNCHER_MARKER = 'tessera-launcher: written by Tessera (Install command-line tool)';

/**
 * The command's files under a root — the checkout, or a packaged app's resources folder, which
 * ships the same layout (electron-builder.config.cjs): the Node client's launcher and the native
 * client (cli/native/build.mjs builds it there).
 */
export function commandLineToolFiles(root: string): { readonly script: string; readonly native: string } {
  return { script: join(root, 'cli', 'tessera.cjs'), native: join(root, 'dist', 'cli', NATIVE_NAME) };
}

/** The native client's file name (cli/native/build.mjs builds it under that name). */
const NATIVE_NAME = 'tessera-native';

/** Options of {@link CommandLineToolInstaller}. */
export interface CommandLineToolOptions {
  /**
   * The bundled command the launcher runs (`cli/tessera.cjs` in a checkout, `resources/cli/tessera.cjs`
   * packaged). Without it, installing is refused with `unsupported`.
   */
  readonly script?: string;
  /**
   * The native client: the launcher links to it when it is there at install time (a build without
   * Go has none). Not on Windows, where the launcher is the Node client's script.
   */
  readonly native?: string;
  /** Where the launcher goes. Default: `~/.local/bin` (the XDG user bin folder), `%LOCALAPPDATA%\Tessera\bin` on Windows. */
  readonly binDir?: string;
  /** The environment the app started with (its PATH decides `onPath`). */
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

/** Writes and inspects the launcher. */
export class CommandLineToolInstaller implements CommandLineInstaller {
  readonly #script: string | undefined;
  readonly #native: string | undefined;
  readonly #binDir: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #windows: boolean;

  constructor(options: CommandLineToolOptions) {
    const env = options.env ?? process.env;
    const platform = options.platform ?? process.platform;
    this.#script = options.script ? resolve(options.script) : undefined;
    this.#native = options.native ? resolve(options.native) : undefined;
    this.#windows = platform === 'win32';
    this.#binDir = options.binDir ?? (this.#windows ? join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Tessera', 'bin') : join(homedir(), '.local', 'bin'));
    this.#env = env;
  }

  /** Where the launcher goes. */
  get installPath(): string {
    return join(this.#binDir, this.#windows ? 'tessera.cmd' : 'tessera');
  }

  status(): CommandLineTool {
    return { installPath: this.installPath, installed: this.#ours() === 'current', onPath: this.#onPath() };
  }

  /** Writes the launcher (atomically); refuses to replace a `tessera` that is not ours. */
  async install(): Promise<CommandLineTool> {
    if (!this.#script) throw new AppError('unsupported', 'This build of Tessera has no tessera command to install.');
    if (this.#ours() === 'foreign') {
      throw new AppError('path_in_use', `${this.installPath} already exists and was not written by Tessera; Tessera left it alone. Remove or rename it, then install again.`);
    }
    const temp = `${this.installPath}.${process.pid}.tmp`;
    const native = this.#availableNative();
    try {
      mkdirSync(this.#binDir, { recursive: true, mode: 0o755 });
      if (native) {
        symlinkSync(native, temp);
      } else {
        writeFileSync(temp, this.#launcher(), { mode: 0o755 });
        chmodSync(temp, 0o755);
      }
      renameSync(temp, this.installPath);
    } catch (error) {
      rmSync(temp, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'EACCES' || code === 'EPERM' ? 'Tessera may not write there' : code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the disk is read-only' : 'it could not be written';
      throw new AppError(code === 'ENOSPC' ? 'disk_full' : code === 'EROFS' ? 'read_only' : code === 'EACCES' || code === 'EPERM' ? 'permission_denied' : 'io_error', `The tessera command was not installed in ${dirname(this.installPath)}: ${reason}.`, { cause: error });
    }
    return this.status();
  }

  /** The native client when this platform uses it and it was built. */
  #availableNative(): string | undefined {
    if (this.#windows || !this.#native) return undefined;
    try {
      accessSync(this.#native, constants.X_OK);
      return this.#native;
    } catch {
      return undefined;
    }
  }

  #launcher(): string {
    if (this.#windows) return `@echo off\r\nrem ${LAUNCHER_MARKER}\r\nnode "${this.#script ?? ''}" %*\r\n`;
    const script = shellQuote(this.#script ?? '');
    return [
      '#!/bin/sh',
      `# ${LAUNCHER_MARKER}`,
      'if ! command -v node >/dev/null 2>&1; then',
      "  echo 'tessera: Node.js 20 or later must be on PATH to run the tessera command.' >&2",
      '  exit 1',
      'fi',
      `exec node ${script} "$@"`,
      '',
    ].join('\n');
  }

  /**
   * `current`: the launcher this install would write; `stale`: ours for another build (or none
   * there); `foreign`: someone else's.
   */
  #ours(): 'current' | 'stale' | 'foreign' {
    const native = this.#availableNative();
    let link: string | undefined;
    try {
      link = lstatSync(this.installPath).isSymbolicLink() ? readlinkSync(this.installPath) : undefined;
    } catch {
      return 'stale';
    }
    if (link !== undefined) {
      if (basename(link) !== NATIVE_NAME) return 'foreign';
      return native !== undefined && resolve(this.#binDir, link) === native ? 'current' : 'stale';
    }
    let text: string;
    try {
      text = readFileSync(this.installPath, 'utf8');
    } catch {
      return 'foreign'; // there, but not a file we can read
    }
    if (!text.includes(LAUNCHER_MARKER)) return 'foreign';
    return native === undefined && text === this.#launcher() ? 'current' : 'stale';
  }

  #onPath(): boolean {
    const path = this.#env.PATH ?? this.#env.Path ?? '';
    return path.split(delimiter).some((entry) => entry !== '' && resolve(entry) === resolve(this.#binDir));
  }
}

/** One POSIX shell word. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
