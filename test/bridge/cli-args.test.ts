/**
 * `tessera` argument parsing, and the bundle staying small: Node built-ins only.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENV_NAME, parseArgs, UsageError } from '../../cli/args';
import { exitCodeFor, EXIT } from '../../cli/exit-codes';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('tessera arguments', () => {
  it('parses token with every option, in both --flag value and --flag=value spellings', () => {
    expect(
      parseArgs(['token', 'demo:alice@contoso.com', '--scope', 'a b', '-s', 'c', '--resource=https://management.azure.com', '--min-valid', '600', '--force-refresh', '--format', 'json', '--interactive', '--program', 'ci-job']),
    ).toEqual({
      kind: 'token',
      account: 'demo:alice@contoso.com',
      scopes: ['a', 'b', 'c'],
      resource: 'https://management.azure.com',
      minValidSeconds: 600,
      forceRefresh: true,
      interactive: true,
      idToken: false,
      program: 'ci-job',
      format: 'json',
      envName: DEFAULT_ENV_NAME,
    });
  });

  it('parses exec: options before "--", the command after it untouched', () => {
    expect(parseArgs(['exec', '--env', 'API_TOKEN', '--', 'curl', '--scope', '-H', 'x'])).toMatchObject({
      kind: 'exec',
      envName: 'API_TOKEN',
      scopes: [],
      command: ['curl', '--scope', '-H', 'x'],
    });
  });

  it.each([
    [['token', '--format', 'yaml'], /--format must be raw, header, json or env/],
    [['token', '--min-valid', '-5'], /--min-valid takes a number of seconds/],
    [['token', '--min-valid', '1e3'], /--min-valid takes a number of seconds/],
    [['token', 'alice', 'bob'], /one account only/],
    [['token', '--scope'], /--scope needs a value/],
    [['token', '--resource', 'not a uri'], /--resource takes a URI/],
    [['token', '--', 'ls'], /belong to "tessera exec"/],
    [['exec', 'alice'], /exec needs a command after "--"/],
    [['exec', '--env', 'NOT-A-NAME', '--', 'ls'], /--env takes a variable name/],
    [['accounts', '--yaml'], /unexpected "--yaml"/],
    [['tokens'], /unknown command "tokens"/],
  ])('refuses %j with a usage error that says what to do', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('maps the app’s error codes to the documented exit codes', () => {
    expect(exitCodeFor('needs_sign_in')).toBe(4);
    expect(['consent_denied', 'no_standing_rule', 'consent_timeout'].map(exitCodeFor)).toEqual([5, 5, 5]);
    expect(['not_found', 'account_ambiguous', 'no_default_account'].map(exitCodeFor)).toEqual([6, 6, 6]);
    expect(exitCodeFor('network_error')).toBe(EXIT.failure);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
  });
});

describe('tessera bundle', () => {
  it('is built by the bin on first use and requires nothing but Node built-ins and its own chunks', async () => {
    await new Promise<void>((done, fail) => execFile(process.execPath, [join(ROOT, 'cli', 'tessera.cjs'), '--version'], (error) => (error ? fail(error) : done())));
    const bundle = join(ROOT, 'dist', 'cli', 'tessera.cjs');
    const requiredBy = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1] ?? '');
    const required = requiredBy(bundle);
    expect(required.length).toBeGreaterThan(0);
    const chunks = required.filter((name) => name.startsWith('./chunk-'));
    expect(required.filter((name) => !name.startsWith('node:') && !chunks.includes(name))).toEqual([]);
    for (const chunk of chunks) {
      expect(requiredBy(join(ROOT, 'dist', 'cli', chunk)).filter((name) => !name.startsWith('node:') && name !== './tessera.cjs')).toEqual([]);
    }
    // What kubectl pays on every call: no HTTP server, child processes or crypto at start; those
    // load with `exec --azure-identity` / `exec` only.
    expect(required.filter((name) => ['node:http', 'node:child_process', 'node:crypto'].includes(name))).toEqual([]);
    // Small enough to load in a blink (it is about 29 kB today, minified).
    expect(statSync(bundle).size).toBeLessThan(100_000);
  });
});
