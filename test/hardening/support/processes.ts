/**
 * Real child processes for hardening cases: bundled once (plain `node` starts in a fraction of the
 * time `tsx` needs, which matters at 200 kills), then started, read line by line and killed.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Options of {@link bundleFixture}. */
export interface BundleOptions {
  /**
   * Modules (by resolved path) to bundle as free of side effects, so that what the fixture does not
   * use of them is left out. The persistence code reaches the whole auth core (undici, jose)
   * through the one redactor (main/errors/redact.ts → main/auth/index.ts); a writer that never
   * signs in parses 220 KB instead of 840 KB at each of its 200 starts.
   */
  readonly unusedDropped?: RegExp;
}

// Marks the modules matching `pattern` as side-effect free (esbuild then drops what is unused).
function sideEffectFree(pattern: RegExp): Plugin {
  return {
    name: 'side-effect-free',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        const resolved = await builder.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving' });
        if (resolved.errors.length > 0) return undefined;
        if (resolved.external) return { path: resolved.path, external: true };
        return { path: resolved.path, ...(pattern.test(resolved.path) ? { sideEffects: false } : {}) };
      });
    },
  };
}

/**
 * Bundles `test/hardening/fixtures/<name>.ts` into `<appDir>/main/browser-host/<name>.mjs`.
 *
 * The bundle sits where the app's own modules sit, with a `package.json` and a built renderer
 * stub at `appDir`, so code that finds the app root two folders above itself (`run.ts`'s
 * `appRoot`) sees a packaged app's layout and builds nothing.
 */
export async function bundleFixture(name: string, appDir: string, options: BundleOptions = {}): Promise<string> {
  const out = join(appDir, 'main', 'browser-host', `${name}.mjs`);
  await build({
    entryPoints: [join(FIXTURES, `${name}.ts`)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // Less to parse at each of the many starts.
    minify: true,
    // CommonJS dependencies bundled into ESM need a `require`.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    external: ['electron', 'vite', 'playwright-core'],
    plugins: options.unusedDropped ? [sideEffectFree(options.unusedDropped)] : [],
  });
  writeFileSync(join(appDir, 'package.json'), '{ "name": "tessera-fixture", "version": "0.0.0-hardening", "type": "module" }\n');
  mkdirSync(join(appDir, 'dist', 'renderer'), { recursive: true });
  writeFileSync(join(appDir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Tessera</title>\n');
  return out;
}

/** A started child with its output as lines. */
export interface Child {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  readonly pid: number;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves with the first stdout line matching `pattern` (rejects if the process exits first). */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stderr. */
  stderr(): string;
}

/** Starts `node <script> ...args`. */
export function startNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  let buffer = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`process exited (${code ?? signal}) before printing ${waiter.pattern}; stderr: ${err.slice(0, 500)}`));
      resolve({ code, signal });
    });
  });
  return {
    process: child,
    pid: child.pid ?? 0,
    lines,
    waitForLine(pattern) {
      const found = lines.find((line) => pattern.test(line));
      if (found !== undefined) return Promise.resolve(found);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`process already exited before printing ${pattern}`));
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
    exited,
    stderr: () => err,
  };
}
