/**
 * Proves the packaging config without downloading Electron: builds the bundles into a temp copy
 * of the app, runs `electron-builder --dir --linux` with `electronDist` pointing at a stub (fuses
 * off: a stub has no fuse wire to flip), and inspects the produced `app.asar`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goInstalled } from '../support/native-client';
import { requires } from '../support/requires';
import { SYSTEM_TMPDIR_VARIABLE } from '../support/temp-dir-check';
import { buildAppCopy, REPO_ROOT as repo } from './app-copy';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const electronBuilder = join(repo, 'node_modules', 'electron-builder', 'cli.js');

interface BuilderConfig {
  [key: string]: unknown;
  files: string[];
  electronFuses?: Record<string, boolean>;
  linux: { target: string[]; category: string; desktop: { entry: Record<string, string> } };
  win: { target: string[] };
  mac: { target: string[] };
  asar: boolean;
}

const config = require(join(repo, 'electron-builder.config.cjs')) as BuilderConfig;

describe('electron-builder config', () => {
  it('targets AppImage, deb, nsis and dmg, packs only dist into an asar, and flips the release fuses', () => {
    expect(config).toMatchObject({ appId: expect.any(String), productName: 'Tessera', asar: true });
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Development');
    expect(config.linux.desktop.entry.Categories).toBe('Development;');
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.files.filter((pattern) => !pattern.startsWith('!'))).toEqual(['dist/**', 'package.json']);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    for (const icon of ['build/icon.png', 'build/icons/512x512.png', 'build/icons/256x256.png', 'build/tray/tray.png']) {
      expect(existsSync(join(repo, icon)), icon).toBe(true);
    }
  });
});

describe('electron-builder --dir with a stub Electron', () => {
  let temp: string;
  let files: string[];
  let unpacked: string;

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'tessera-packaging-'));
    const app = await buildAppCopy(temp);

    // What electron-builder copies from an unpacked distribution: the binary and the licenses.
    const stub = join(temp, 'electron-stub');
    mkdirSync(join(stub, 'resources'), { recursive: true });
    writeFileSync(join(stub, 'electron'), '#!/bin/sh\necho "stub electron"\n');
    chmodSync(join(stub, 'electron'), 0o755);
    writeFileSync(join(stub, 'LICENSE'), 'stub license\n');
    writeFileSync(join(stub, 'LICENSES.chromium.html'), '<!doctype html><title>stub</title>\n');

    const electronVersion = (require(join(repo, 'node_modules', 'electron', 'package.json')) as { version: string }).version;
    const { electronFuses: _fuses, ...rest } = structuredClone(config);
    const stubConfig = {
      ...rest,
      electronDist: stub,
      electronVersion,
      npmRebuild: false,
      directories: { ...(rest.directories as object), output: join(temp, 'out') },
    };
    const configPath = join(temp, 'electron-builder.json');
    writeFileSync(configPath, JSON.stringify(stubConfig, null, 2));
    await run(process.execPath, [electronBuilder, '--dir', '--linux', '--x64', '--projectDir', app, '--config', configPath], {
      cwd: app,
      // electron-builder refuses to pack a dependency whose real path is under /tmp unless it is under
      // os.tmpdir() (its list of unsafe roots). The copy links the checkout's node_modules, and this
      // run's TMPDIR is a folder of its own, so give the packer the machine's temp root: a checkout
      // cloned under /tmp then packs as one anywhere else does.
      env: { ...process.env, CI: '1', ELECTRON_BUILDER_CACHE: join(temp, 'cache'), TMPDIR: process.env[SYSTEM_TMPDIR_VARIABLE] ?? tmpdir() },
    });

    unpacked = join(temp, 'out', 'linux-unpacked');
    const asar = require('@electron/asar') as { listPackage(path: string, options?: unknown): string[] };
    files = asar.listPackage(join(unpacked, 'resources', 'app.asar'), { isPack: false }).map((file) => file.replaceAll('\\', '/'));
  }, 120_000);

  afterAll(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('packs the main, preload and renderer bundles', () => {
    for (const file of ['/package.json', '/dist/main/index.js', '/dist/preload/index.cjs', '/dist/renderer/index.html']) {
      expect(files, file).toContain(file);
    }
  });

  it('packs no sources, tests, scripts or source maps', () => {
    const ours = files.filter((file) => !file.startsWith('/node_modules/'));
    expect(ours.filter((file) => /^\/(test|main|preload|renderer|scripts|src|bench|build)(\/|$)/.test(file))).toEqual([]);
    expect(ours.filter((file) => /\.(ts|tsx|mts|cts)$/.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => /\.config\.(ts|js|cjs)$/.test(file) && !file.startsWith('/node_modules/'))).toEqual([]);
  });

  it('ships every package the main bundle imports', () => {
    const main = readFileSync(join(temp, 'app', 'dist', 'main', 'index.js'), 'utf8');
    const specifiers = [...main.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1] ?? '');
    const packages = specifiers.filter((name) => name !== 'electron' && !name.startsWith('node:'));
    expect(packages.length).toBeGreaterThan(0);
    for (const name of packages) {
      const root = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] ?? name);
      expect(files, name).toContain(`/node_modules/${root}/package.json`);
    }
  });

  it('renames the binary and ships the tray icon and Electron licenses beside it', () => {
    expect(existsSync(join(unpacked, 'tessera'))).toBe(true);
    expect(existsSync(join(unpacked, 'resources', 'tray', 'tray.png'))).toBe(true);
    expect(existsSync(join(unpacked, 'LICENSE.electron.txt'))).toBe(true);
  });

  it('ships the tessera command beside the app, where "Install command-line tool" points', () => {
    // The launcher finds its bundle as in a checkout (resources/dist/cli) and has no sources to rebuild from.
    expect(existsSync(join(unpacked, 'resources', 'cli', 'tessera.cjs'))).toBe(true);
    const entry = readFileSync(join(unpacked, 'resources', 'dist', 'cli', 'tessera.cjs'), 'utf8');
    expect(entry).toContain('kubectl-credential');
    // Every chunk the command loads on demand (exec --azure-identity's server) ships beside it.
    const chunks = [...entry.matchAll(/require\("\.\/(chunk-[^"]+)"\)/g)].map((match) => match[1] ?? '');
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(existsSync(join(unpacked, 'resources', 'dist', 'cli', chunk)), chunk).toBe(true);
    expect(files.filter((file) => file.startsWith('/cli/') || file.startsWith('/dist/cli/'))).toEqual([]);
  });

  requires(goInstalled()).it('ships the native client, which finds the Node client in the packaged layout', async () => {
    const native = join(unpacked, 'resources', 'dist', 'cli', 'tessera-native');
    expect(statSync(native).mode & 0o111).not.toBe(0);
    // --version is the Node client's: the native client found resources/cli/tessera.cjs and handed it over.
    const { stdout } = await promisify(execFile)(native, ['--version'], { env: { PATH: process.env.PATH } });
    expect(stdout.trim()).toBe((JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
