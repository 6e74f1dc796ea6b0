import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azLocalTime, formatAzAccessToken } from '../../../cli/integrations/az-format';
import { runIntegrationCommand } from '../../../cli/integrations/commands';
import type { TokenGrant } from '../../../cli/integrations/get-token';
import { file, pythonAzureIdentity, requires } from '../../support/requires';
import { writeTesseraCommand } from '../../support/tessera-command';
import { createTokenSource, ISSUER_ACCOUNTS, startTokenIssuer, type TokenIssuer } from '../../support/token-issuer';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const DEBIAN_PYTHON = '/usr/bin/python3';
const ALICE = ISSUER_ACCOUNTS[0]!;
const CAROL = ISSUER_ACCOUNTS[2]!;
// A zone with a half-hour offset and no daylight saving: a UTC/local mix-up cannot pass unnoticed.
const ZONE = 'Asia/Kolkata';

const createHashHex = (value: string): string => createHash('sha256').update(value).digest('hex');

const grant = (overrides: Partial<TokenGrant> = {}): TokenGrant => ({
  accessToken: 'tk_example',
  tokenType: 'Bearer',
  expiresOn: 1_796_071_293,
  scopes: ['https://management.azure.com//.default'],
  account: ALICE,
  ...overrides,
});

/** Python's `str(datetime.fromtimestamp(t))` in `zone`: what azure-cli itself writes. */
async function pythonLocalTime(epochSeconds: number, zone: string): Promise<string> {
  const { stdout } = await run(DEBIAN_PYTHON, ['-c', `import datetime; print(datetime.datetime.fromtimestamp(${epochSeconds}).strftime("%Y-%m-%d %H:%M:%S.%f"))`], { env: { TZ: zone } });
  return stdout.trim();
}

describe('--format az', () => {
  it('prints az’s keys in az’s order, with subscription and tenant when known', () => {
    const text = formatAzAccessToken(grant());
    expect(text.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['accessToken', 'expiresOn', 'expires_on', 'subscription', 'tenant', 'tokenType']);
    expect(parsed).toMatchObject({ accessToken: 'tk_example', expires_on: 1_796_071_293, subscription: ALICE.subscription, tenant: ALICE.tenant, tokenType: 'Bearer' });
    expect(text).toContain('\n  "accessToken": ');
    // --subscription on the command line wins over the profile's.
    expect(JSON.parse(formatAzAccessToken(grant(), 'cli-sub'))).toMatchObject({ subscription: 'cli-sub' });
    // A plain OIDC account has no tenant and no subscription.
    expect(Object.keys(JSON.parse(formatAzAccessToken(grant({ account: CAROL }))) as object)).toEqual(['accessToken', 'expiresOn', 'expires_on', 'tokenType']);
  });

  requires(file(DEBIAN_PYTHON, 'Python 3', 'apt-get install python3')).it('writes expiresOn in local time exactly as azure-cli’s Python does', async () => {
    const saved = process.env['TZ'];
    process.env['TZ'] = ZONE;
    try {
      for (const epoch of [1_796_071_293, 1_700_000_000, 1_735_689_599]) {
        expect(azLocalTime(epoch)).toBe(await pythonLocalTime(epoch, ZONE));
      }
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });

  it('token --format az maps --resource and checks --tenant', async () => {
    const source = createTokenSource();
    let out = '';
    let err = '';
    const io = { getToken: source.getToken, stdin: [], stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, env: {}, commandPath: 'tessera' };
    expect(await runIntegrationCommand(['token', 'alice@contoso.com', '--resource', 'https://vault.azure.net', '--format', 'az'], io)).toBe(0);
    expect(source.requests).toEqual([{ integration: 'cli', account: 'alice@contoso.com', scopes: ['https://vault.azure.net/.default'] }]);
    expect(JSON.parse(out)).toMatchObject({ accessToken: source.issued[0]!.accessToken, tenant: ALICE.tenant });
    out = '';
    expect(await runIntegrationCommand(['token', '--format=az', '--tenant', 'another-tenant'], io)).toBe(1);
    expect(out).toBe('');
    expect(err).toBe('tessera: The account alice@contoso.com is in another tenant than --tenant. Name an account of that tenant.\n');
  });
});

describe('Azure SDKs’ AzureCliCredential read tessera’s az output (through an `az` on PATH that calls tessera)', () => {
  let dir: string;
  let issuer: TokenIssuer;
  let path: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-az-'));
    issuer = await startTokenIssuer();
    const tessera = await writeTesseraCommand(dir, issuer.url);
    // `az account get-access-token --output json --resource R …` → `tessera token --format az --resource R …`.
    const shim = [
      '#!/bin/sh',
      '[ "$1 $2" = "account get-access-token" ] || exit 2',
      'shift 2',
      'skip=',
      'for arg in "$@"; do',
      '  shift',
      '  if [ -n "$skip" ]; then skip=; continue; fi',
      '  if [ "$arg" = "--output" ]; then skip=1; continue; fi',
      '  set -- "$@" "$arg"',
      'done',
      `exec '${tessera}' token --format az "$@"`,
      '',
    ].join('\n');
    await writeFile(join(dir, 'az'), shim);
    await chmod(join(dir, 'az'), 0o755);
    path = `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
  });
  afterAll(async () => {
    await issuer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('@azure/identity (Node) AzureCliCredential: token and expires_on', async () => {
    issuer.requests.length = 0;
    issuer.issued.length = 0;
    const script = `
      import { createHash } from 'node:crypto';
      import { AzureCliCredential } from '@azure/identity';
      const token = await new AzureCliCredential().getToken('https://vault.azure.net/.default');
      console.log(JSON.stringify({ hash: createHash('sha256').update(token.token).digest('hex'), expiresOnTimestamp: token.expiresOnTimestamp }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, env: { PATH: path, HOME: dir, TZ: ZONE } });
    const issued = issuer.issued[0]!;
    expect(issuer.requests).toEqual([{ integration: 'cli', scopes: ['https://vault.azure.net/.default'] }]);
    expect(JSON.parse(stdout)).toEqual({ hash: createHashHex(issued.accessToken), expiresOnTimestamp: issued.expiresOn * 1000 });
  });

  requires(pythonAzureIdentity()).it('azure-identity (Python 1.13, which reads only the local-time expiresOn) AzureCliCredential', async () => {
    issuer.requests.length = 0;
    issuer.issued.length = 0;
    const script = [
      'import hashlib, json',
      'from azure.identity import AzureCliCredential',
      'token = AzureCliCredential().get_token("https://vault.azure.net/.default")',
      'print(json.dumps({"hash": hashlib.sha256(token.token.encode()).hexdigest(), "expires_on": token.expires_on}))',
    ].join('\n');
    const { stdout } = await run(DEBIAN_PYTHON, ['-c', script], { env: { PATH: path, HOME: dir, TZ: ZONE } });
    const issued = issuer.issued[0]!;
    expect(JSON.parse(stdout)).toEqual({ hash: createHashHex(issued.accessToken), expires_on: issued.expiresOn });
  });
});
