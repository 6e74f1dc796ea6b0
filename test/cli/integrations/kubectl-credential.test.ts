import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIntegrationCommand } from '../../../cli/integrations/commands';
import {
  execCredentialVersion,
  kubeconfigUserEntry,
  kubectlCredential,
  parseKubeconfigUserArgs,
  parseKubectlCredentialArgs,
} from '../../../cli/integrations/kubectl-credential';
import { standInKubeconfig, startKubeApiStandIn, type KubeApiStandIn } from '../../support/kube-api-stand-in';
import { file, requires } from '../../support/requires';
import { writeTesseraCommand } from '../../support/tessera-command';
import { createTestCa, type TestCa } from '../../support/test-certs';
import { createTokenSource, ISSUER_ACCOUNTS, startTokenIssuer, type TokenIssuer } from '../../support/token-issuer';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const AKS_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
const ALICE = ISSUER_ACCOUNTS[0]!;
const BOB = ISSUER_ACCOUNTS[1]!;

describe('kubectl-credential arguments', () => {
  it('maps kubelogin get-token options: --server-id becomes a scope, the rest are noted and their values dropped', () => {
    const parsed = parseKubectlCredentialArgs([
      'get-token',
      '--login',
      'azurecli',
      '--server-id',
      AKS_SERVER_ID,
      '--client-id',
      '80faf920-1908-4b52-b5ef-a8e7bedfc67a',
      '--tenant-id',
      ALICE.tenant!,
      '--client-secret=s3cr3t-value',
      '--legacy',
      '-e',
      'AzurePublicCloud',
    ]);
    expect(parsed.options).toEqual({ scopes: [`${AKS_SERVER_ID}/.default`], tenantId: ALICE.tenant });
    expect(parsed.notes).toEqual(
      ['--login', '--client-id', '--client-secret', '--legacy', '-e'].map((flag) => `tessera: ignoring ${flag}: the token comes from the account in Tessera.`),
    );
    expect(parsed.notes.join('\n')).not.toContain('s3cr3t-value');
  });

  it('takes the account as the first argument or --account, not both', () => {
    expect(parseKubectlCredentialArgs(['bob@fabrikam.com', '--scope', 'api://k8s/.default']).options).toEqual({ account: 'bob@fabrikam.com', scopes: ['api://k8s/.default'] });
    expect(parseKubectlCredentialArgs(['--account', 'bob@fabrikam.com', '--min-valid', '120']).options).toEqual({ account: 'bob@fabrikam.com', scopes: [], minValidSeconds: 120 });
    expect(() => parseKubectlCredentialArgs(['bob@fabrikam.com', '--account', 'alice@contoso.com'])).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(() => parseKubectlCredentialArgs(['--scope', 'has space'])).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('answers in the version KUBERNETES_EXEC_INFO names, and v1beta1 when it is absent or unknown (as kubelogin does)', () => {
    expect(execCredentialVersion('{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}')).toBe('client.authentication.k8s.io/v1');
    expect(execCredentialVersion('{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential"}')).toBe('client.authentication.k8s.io/v1beta1');
    expect(execCredentialVersion(undefined)).toBe('client.authentication.k8s.io/v1beta1');
    expect(execCredentialVersion('{"apiVersion":"client.authentication.k8s.io/v1alpha1"}')).toBe('client.authentication.k8s.io/v1beta1');
    expect(execCredentialVersion('not json')).toBe('client.authentication.k8s.io/v1beta1');
  });

  it('always writes status.expirationTimestamp in RFC 3339', async () => {
    const source = createTokenSource();
    const output = JSON.parse(await kubectlCredential({ scopes: [] }, undefined, source.getToken)) as { status: { token: string; expirationTimestamp: string } };
    const issued = source.issued[0]!;
    expect(output.status.token).toBe(issued.accessToken);
    expect(output.status.expirationTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(output.status.expirationTimestamp) / 1000).toBe(issued.expiresOn);
    expect(source.requests).toEqual([{ integration: 'kubectl' }]);
  });

  it('refuses an account of another tenant than --tenant-id', async () => {
    const source = createTokenSource();
    await expect(kubectlCredential({ account: BOB.username, scopes: [], tenantId: ALICE.tenant! }, undefined, source.getToken)).rejects.toMatchObject({ code: 'tenant_mismatch' });
  });

  it('kubeconfig-user quotes every value, so an odd name cannot change the YAML structure', () => {
    const options = parseKubeconfigUserArgs(['dev: "x"\n- name: evil', 'alice@contoso.com', '--command', '/opt/Tessera/bin/tessera'], 'tessera');
    const entry = kubeconfigUserEntry(options);
    expect(entry.split('\n')[1]).toBe('- name: "dev: \\"x\\"\\n- name: evil"');
    expect(entry).toContain('      command: "/opt/Tessera/bin/tessera"');
    expect(entry).toContain('      - "kubectl-credential"\n      - "alice@contoso.com"\n');
    expect(() => parseKubeconfigUserArgs([], 'tessera')).toThrow(expect.objectContaining({ code: 'usage' }));
  });
});

requires(file(KUBECTL, 'kubectl', 'apt-get install kubectl')).describe('the real kubectl runs tessera as its exec credential plugin', () => {
  let dir: string;
  let ca: TestCa;
  let issuer: TokenIssuer;
  let api: KubeApiStandIn;
  let tessera: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-kubectl-'));
    ca = await createTestCa();
    issuer = await startTokenIssuer();
    // Tokens issued here are accepted until they expire; the expiry test relaxes this below.
    api = await startKubeApiStandIn(ca, (token) => acceptToken(token));
    tessera = await writeTesseraCommand(dir, issuer.url);
  });

  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let acceptToken = (token: string): boolean => issuer.isValid(token);

  function reset(): void {
    issuer.requests.length = 0;
    issuer.issued.length = 0;
    issuer.lifetimeSeconds = 3600;
    api.requests.length = 0;
    api.delayNextAnswerMs = 0;
    acceptToken = (token) => issuer.isValid(token);
  }

  async function kubeconfigFor(name: string, users: string): Promise<string> {
    const path = join(dir, `${name}.kubeconfig`);
    await writeFile(path, standInKubeconfig(api.server, ca.caCertPem, name, users));
    return path;
  }

  async function kubeconfigUser(args: readonly string[]): Promise<string> {
    let out = '';
    const code = await runIntegrationCommand(['kubeconfig-user', ...args], {
      getToken: issuer.getToken,
      stdin: [],
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
      env: {},
      commandPath: tessera,
    });
    expect(code).toBe(0);
    return out;
  }

  let runs = 0;
  async function kubectl(kubeconfig: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    // A fresh discovery cache per run, so every run makes the same requests (discovery, then the call).
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECACHEDIR: join(dir, `cache-${++runs}`) };
    try {
      const result = await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env });
      return { code: 0, stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  it('the users: entry from kubeconfig-user works as is: one plugin run serves discovery and the list call', async () => {
    reset();
    const kubeconfig = await kubeconfigFor('alice-aks', await kubeconfigUser(['alice-aks', ALICE.username, '--server-id', AKS_SERVER_ID]));
    const result = await kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['namespace/default', 'namespace/tessera-demo']);
    expect(issuer.requests).toEqual([{ integration: 'kubectl', account: ALICE.username, scopes: [`${AKS_SERVER_ID}/.default`] }]);
    const token = issuer.issued[0]!.accessToken;
    expect(api.requests.map((request) => request.path)).toContain('/api/v1/namespaces');
    expect(api.requests.every((request) => request.status === 200 && request.token === token)).toBe(true);
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);

    const version = await kubectl(kubeconfig, ['version', '-o', 'json']);
    expect(version.code).toBe(0);
    expect((JSON.parse(version.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion).toBe('v1.32.0-tessera-stand-in');
    // A new kubectl process runs the plugin again (client-go caches per process).
    expect(issuer.requests).toHaveLength(2);
  });

  it('an expired expirationTimestamp makes the same kubectl process run the plugin again', async () => {
    reset();
    // Accept every token issued here, expired or not: a refresh must come from the timestamp,
    // not from a 401.
    acceptToken = (token) => issuer.lookup(token) !== undefined;
    issuer.lifetimeSeconds = 2;
    api.delayNextAnswerMs = 3_500;
    const kubeconfig = await kubeconfigFor('alice-short', await kubeconfigUser(['alice-short', ALICE.username]));
    const result = await kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name']);
    expect(result.code).toBe(0);
    expect(issuer.issued).toHaveLength(2);
    const [first, second] = issuer.issued.map((issued) => issued.accessToken);
    expect(api.requests.every((request) => request.status === 200)).toBe(true);
    expect(api.requests[0]!.token).toBe(first);
    expect(api.requests.at(-1)).toMatchObject({ path: '/api/v1/namespaces', token: second });
  });

  for (const version of ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']) {
    it(`an AKS kubeconfig written for kubelogin works with only command: changed (${version.split('/')[1]})`, async () => {
      reset();
      const users = [
        'users:',
        '- name: aks-user',
        '  user:',
        '    exec:',
        `      apiVersion: ${version}`,
        `      command: ${tessera}`,
        '      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, 11111111-2222-3333-4444-555555555555, --login, azurecli]',
        '      interactiveMode: IfAvailable',
        '',
      ].join('\n');
      const result = await kubectl(await kubeconfigFor('aks-user', users), ['get', 'namespaces', '-o', 'name']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('namespace/tessera-demo');
      expect(issuer.requests).toEqual([{ integration: 'kubectl', scopes: [`${AKS_SERVER_ID}/.default`] }]);
      // The notes reach the person through kubectl's stderr.
      expect(result.stderr).toContain('tessera: ignoring --client-id');
      expect(result.stderr).toContain('tessera: ignoring --login');
    });
  }

  it('kubectl reports the plugin’s one-line reason when the account is in another tenant, and the API server sees no token', async () => {
    reset();
    const kubeconfig = await kubeconfigFor('bob-wrong-tenant', await kubeconfigUser(['bob-wrong-tenant', BOB.username, '--tenant-id', ALICE.tenant!]));
    const result = await kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`tessera: The account ${BOB.username} is in another tenant than the kubeconfig's --tenant-id.`);
    expect(api.requests.filter((request) => request.token !== undefined)).toEqual([]);
  });

  it('kubectl reports a refusal from the app (consent denied) and sends nothing', async () => {
    reset();
    issuer.refuseWith = 'consent_denied';
    try {
      const kubeconfig = await kubeconfigFor('alice-denied', await kubeconfigUser(['alice-denied', ALICE.username]));
      const result = await kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('tessera: The request was refused in Tessera.');
      expect(api.requests.filter((request) => request.token !== undefined)).toEqual([]);
    } finally {
      issuer.refuseWith = undefined;
    }
  });
});
