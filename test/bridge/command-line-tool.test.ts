/**
 * "Install command-line tool": the launcher it writes runs the real `tessera` command from a
 * shell, it replaces only a launcher of its own, and a disk that refuses the write gets a typed
 * error and leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, symlinkSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandLineToolInstaller, LAUNCHER_MARKER } from '../../main/bridge/command-line-tool';
import { makeReadOnly } from '../support/fault-disks';
import { ensureNativeClient, goInstalled } from '../support/native-client';
import { requires } from '../support/requires';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'cli', 'tessera.cjs');

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(file, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function onPathIn(path: string, name: string): boolean {
  return path.split(':').some((dir) => existsSync(join(dir, name)));
}

describe('CommandLineToolInstaller', () => {
  let home: string;
  let binDir: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'tessera-install-'));
    binDir = join(home, '.local', 'bin');
  });

  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('writes an executable launcher that runs the real command from a shell', async () => {
    const installer = new CommandLineToolInstaller({ script: SCRIPT, binDir, env: { PATH: `/usr/bin${':'}${binDir}` } });
    expect(installer.status()).toEqual({ installPath: join(binDir, 'tessera'), installed: false, onPath: true });

    const tool = await installer.install();
    expect(tool).toEqual({ installPath: join(binDir, 'tessera'), installed: true, onPath: true });
    expect(statSync(tool.installPath).mode & 0o777).toBe(0o755);
    expect(readFileSync(tool.installPath, 'utf8')).toContain(LAUNCHER_MARKER);

    // The shell finds it on PATH; with no app running it says so with exit 3 (cli/exit-codes.ts).
    const runtimeDir = mkdtempSync(join(home, 'run-'));
    const env = { PATH: `${binDir}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, XDG_RUNTIME_DIR: runtimeDir };
    const version = await run('sh', ['-c', 'tessera --version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const status = await run('sh', ['-c', 'tessera status'], env);
    expect(status.code).toBe(3);
    expect(status.stderr).toMatch(/^tessera: Tessera is not running/);
  });

  requires(goInstalled()).it('runs the native client when it was built (tessera token needs no Node), the Node client when not', async () => {
    const native = await ensureNativeClient();
    const runtimeDir = mkdtempSync(join(home, 'run-'));
    // No Node on this PATH (Debian's node is in /usr/bin): only the native client can answer. The
    // launcher needs nothing but the shell's built-ins.
    const withoutNode = { PATH: binDir, HOME: home, XDG_RUNTIME_DIR: runtimeDir };
    expect(onPathIn(withoutNode.PATH, 'node')).toBe(false);

    const installer = new CommandLineToolInstaller({ script: SCRIPT, native, binDir, env: withoutNode });
    expect(installer.status().installed).toBe(false);
    expect((await installer.install()).installed).toBe(true);
    // A link, not a script: no shell starts in between.
    expect(readlinkSync(join(binDir, 'tessera'))).toBe(native);
    const token = await run('/bin/sh', ['-c', 'tessera token'], withoutNode);
    expect(token.code).toBe(3);
    expect(token.stderr).toMatch(/^tessera: Tessera is not running \(nothing at /);
    // Everything else goes on to the Node client, which needs Node.
    const status = await run('/bin/sh', ['-c', 'tessera status'], withoutNode);
    expect(status).toMatchObject({ code: 1, stderr: 'tessera: Node.js 20 or later must be on PATH to run this tessera command (tessera token runs without it).\n' });
    const withNode = { ...withoutNode, PATH: `${binDir}:${dirname(process.execPath)}` };
    expect((await run('/bin/sh', ['-c', 'tessera status'], withNode)).code).toBe(3);

    // A build without the native client: the launcher is the Node client's script, and it replaces the link.
    const missing = join(home, 'no-native', 'tessera-native');
    const withoutNative = new CommandLineToolInstaller({ script: SCRIPT, native: missing, binDir, env: withoutNode });
    expect(withoutNative.status().installed).toBe(false);
    expect((await withoutNative.install()).installed).toBe(true);
    expect(lstatSync(join(binDir, 'tessera')).isSymbolicLink()).toBe(false);
    expect(installer.status().installed).toBe(false);
    const fallback = await run('/bin/sh', ['-c', 'tessera token'], withoutNode);
    expect(fallback).toMatchObject({ code: 1, stderr: 'tessera: Node.js 20 or later must be on PATH to run the tessera command.\n' });
    expect((await run('/bin/sh', ['-c', 'tessera token'], withNode)).code).toBe(3);
  });

  it('says when its folder is not on PATH', async () => {
    const installer = new CommandLineToolInstaller({ script: SCRIPT, binDir, env: { PATH: '/usr/bin:/bin' } });
    expect((await installer.install()).onPath).toBe(false);
  });

  it('replaces its own launcher (another checkout) but never a tessera that is not its own', async () => {
    await new CommandLineToolInstaller({ script: join(home, 'old', 'tessera.cjs'), binDir }).install();
    const installer = new CommandLineToolInstaller({ script: SCRIPT, binDir });
    expect(installer.status().installed).toBe(false);
    expect((await installer.install()).installed).toBe(true);
    expect(readFileSync(join(binDir, 'tessera'), 'utf8')).toContain(SCRIPT);

    writeFileSync(join(binDir, 'tessera'), '#!/bin/sh\necho mine\n');
    await expect(installer.install()).rejects.toMatchObject({ code: 'path_in_use', message: expect.stringContaining('was not written by Tessera; Tessera left it alone') });
    expect(readFileSync(join(binDir, 'tessera'), 'utf8')).toBe('#!/bin/sh\necho mine\n');

    // Nor a link of someone else's (here: to another program).
    rmSync(join(binDir, 'tessera'));
    symlinkSync('/usr/bin/env', join(binDir, 'tessera'));
    await expect(installer.install()).rejects.toMatchObject({ code: 'path_in_use' });
    expect(readlinkSync(join(binDir, 'tessera'))).toBe('/usr/bin/env');
  });

  it('a read-only folder gets a typed error and no temp file is left', async () => {
    mkdirSync(binDir, { recursive: true });
    const restore = makeReadOnly(binDir);
    try {
      const installer = new CommandLineToolInstaller({ script: SCRIPT, binDir });
      const error = await installer.install().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: expect.stringMatching(/^(read_only|permission_denied)$/), message: expect.stringMatching(/^The tessera command was not installed in .*: the disk is read-only\.$|may not write there/) });
    } finally {
      restore();
    }
    expect(readdirSync(binDir)).toEqual([]);
  });

  it('a build without the command refuses to install with unsupported', async () => {
    await expect(new CommandLineToolInstaller({ binDir }).install()).rejects.toMatchObject({ code: 'unsupported' });
  });
});
