/**
 * kubectl's exec credential plugin: `tessera kubectl-credential` prints an `ExecCredential`.
 *
 * client-go runs the plugin named in the kubeconfig's `users[].user.exec`, passes its request in
 * the `KUBERNETES_EXEC_INFO` environment variable and reads the answer from stdout
 * (client-go `plugin/pkg/client/auth/exec/exec.go`). It keeps the answer in memory for the life of
 * one kubectl process and runs the plugin again once `status.expirationTimestamp` has passed; with
 * no timestamp it never refreshes before a 401, so we always send one.
 *
 * Azure's kubelogin spelling (`get-token --server-id … --tenant-id …`) is accepted where it maps, so
 * an AKS kubeconfig written by `kubelogin convert-kubeconfig` only changes its `command:`.
 */
import { flagValue, flagValues, readArgs, secondsValue, type FlagSpec } from './args';
import { IntegrationError, isScopeToken, resourceScope, type GetToken, type TokenGrant } from './get-token';

/** The ExecCredential API versions client-go speaks today. */
export const EXEC_CREDENTIAL_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
/** An ExecCredential API version. */
export type ExecCredentialVersion = (typeof EXEC_CREDENTIAL_VERSIONS)[number];

/** What `tessera kubectl-credential` was asked for. */
export interface KubectlCredentialOptions {
  /** A username, an account id or `profile:username`; absent means the default account. */
  readonly account?: string;
  readonly scopes: readonly string[];
  /** kubelogin's `--tenant-id`: the account's tenant must be this one. */
  readonly tenantId?: string;
  readonly minValidSeconds?: number;
}

/** Options read from a command line, and one note per kubelogin option that has no meaning here. */
export interface ParsedKubectlArgs {
  readonly options: KubectlCredentialOptions;
  readonly notes: readonly string[];
}

const OWN_FLAGS: Readonly<Record<string, FlagSpec>> = {
  '--account': { kind: 'value' },
  '--scope': { kind: 'value', repeat: true },
  '--server-id': { kind: 'value' },
  '--tenant-id': { kind: 'value' },
  '-t': { kind: 'value' },
  '--min-valid': { kind: 'value' },
};

// kubelogin `get-token` flags without a boolean value (Azure/kubelogin pkg/internal/token/options.go);
// every other unknown flag is taken to have a value, as pflag does for string flags.
const KUBELOGIN_BOOLEAN_FLAGS = new Set(['--legacy', '--use-azurerm-env-vars', '--pop-enabled']);

/**
 * Reads `tessera kubectl-credential [ACCOUNT] [--scope S]… [--server-id APP] [--tenant-id T]
 * [--min-valid SECONDS]`, also spelled the kubelogin way (`get-token --login azurecli --server-id …`).
 *
 * kubelogin options that choose how kubelogin itself signs in (`--login`, `--client-id`,
 * `--environment`, secrets, cache folders) mean nothing here: they are skipped with a note, and their
 * values are never repeated.
 */
export function parseKubectlCredentialArgs(args: readonly string[]): ParsedKubectlArgs {
  const rest = args[0] === 'get-token' ? args.slice(1) : args;
  const read = readArgs(rest, OWN_FLAGS, {
    unknown: 'collect',
    unknownTakesValue: (flag, next) => !KUBELOGIN_BOOLEAN_FLAGS.has(flag) && next !== undefined && !next.startsWith('-'),
  });
  if (read.positionals.length > 1) throw new IntegrationError('usage', 'kubectl-credential takes at most one account. Put other values after their option (for example --scope).');
  const positional = read.positionals[0];
  const named = flagValue(read, '--account');
  if (positional !== undefined && named !== undefined) throw new IntegrationError('usage', 'Name the account once: either as the first argument or with --account.');
  const scopes = flagValues(read, '--scope');
  const serverId = flagValue(read, '--server-id');
  if (serverId !== undefined) scopes.push(resourceScope(serverId));
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new IntegrationError('usage', 'A scope or server id has characters a scope cannot have. Check --scope and --server-id in the kubeconfig.');
  }
  const tenantId = flagValue(read, '--tenant-id', '-t');
  const minValidSeconds = secondsValue(flagValue(read, '--min-valid'), '--min-valid');
  const notes = [...new Set(read.unknown)].map((flag) => `tessera: ignoring ${flag}: the token comes from the account in Tessera.`);
  const account = positional ?? named;
  return {
    options: {
      ...(account !== undefined ? { account } : {}),
      scopes,
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(minValidSeconds !== undefined ? { minValidSeconds } : {}),
    },
    notes,
  };
}

/**
 * The ExecCredential version to answer in: the one `KUBERNETES_EXEC_INFO` names.
 *
 * As kubelogin does (`execCredentialWriter.go`), an absent, unreadable or unknown exec info gets
 * `v1beta1`, the version every client-go since 1.11 reads.
 */
export function execCredentialVersion(execInfo: string | undefined): ExecCredentialVersion {
  if (!execInfo) return 'client.authentication.k8s.io/v1beta1';
  try {
    const apiVersion = (JSON.parse(execInfo) as { apiVersion?: unknown }).apiVersion;
    const known = EXEC_CREDENTIAL_VERSIONS.find((version) => version === apiVersion);
    return known ?? 'client.authentication.k8s.io/v1beta1';
  } catch {
    return 'client.authentication.k8s.io/v1beta1';
  }
}

/** RFC 3339 in UTC with whole seconds, as Kubernetes' `metav1.Time` writes it. */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The ExecCredential JSON for a grant (one line, newline-terminated). */
export function formatExecCredential(grant: TokenGrant, version: ExecCredentialVersion): string {
  return `${JSON.stringify({
    apiVersion: version,
    kind: 'ExecCredential',
    spec: { interactive: false },
    status: { token: grant.accessToken, expirationTimestamp: rfc3339(grant.expiresOn) },
  })}\n`;
}

/**
 * Gets the token for kubectl and returns the ExecCredential to print.
 *
 * With `tenantId`, an account whose tenant is known and different is refused: the cluster would
 * reject its token anyway, with a less helpful 401.
 */
export async function kubectlCredential(options: KubectlCredentialOptions, execInfo: string | undefined, getToken: GetToken): Promise<string> {
  const version = execCredentialVersion(execInfo);
  const grant = await getToken({
    integration: 'kubectl',
    ...(options.account !== undefined ? { account: options.account } : {}),
    ...(options.scopes.length > 0 ? { scopes: options.scopes } : {}),
    ...(options.minValidSeconds !== undefined ? { minValidSeconds: options.minValidSeconds } : {}),
  });
  const wanted = options.tenantId?.toLowerCase();
  const actual = grant.account.tenant?.toLowerCase();
  if (wanted !== undefined && actual !== undefined && wanted !== actual) {
    throw new IntegrationError(
      'tenant_mismatch',
      `The account ${grant.account.username} is in another tenant than the kubeconfig's --tenant-id. Name an account of that tenant in the kubeconfig's args.`,
    );
  }
  return formatExecCredential(grant, version);
}

/** What `tessera kubeconfig-user NAME …` writes into the entry. */
export interface KubeconfigUserOptions {
  readonly name: string;
  /** The command kubectl runs: an absolute path lets kubectl's plugin allowlist (kuberc) name it. */
  readonly command: string;
  /** The arguments after `kubectl-credential`. */
  readonly args: readonly string[];
}

// A JSON string is a valid YAML double-quoted scalar (YAML 1.2 §7.3.1), so every value is quoted
// that way: no account name or scope can break the entry's structure.
const yamlString = (value: string): string => JSON.stringify(value);

/**
 * The kubeconfig `users:` entry that runs `tessera kubectl-credential` for kubectl.
 *
 * `interactiveMode: Never`: the plugin never reads stdin (approval happens in the app), and v1
 * requires the field.
 */
export function kubeconfigUserEntry(options: KubeconfigUserOptions): string {
  // Validate now, so a typo fails here rather than on the first kubectl call.
  parseKubectlCredentialArgs(options.args);
  const args = ['kubectl-credential', ...options.args];
  return [
    'users:',
    `- name: ${yamlString(options.name)}`,
    '  user:',
    '    exec:',
    `      apiVersion: ${EXEC_CREDENTIAL_VERSIONS[0]}`,
    `      command: ${yamlString(options.command)}`,
    '      args:',
    ...args.map((arg) => `      - ${yamlString(arg)}`),
    '      interactiveMode: Never',
    '      provideClusterInfo: false',
    `      installHint: ${yamlString('Install Tessera and its command-line tool (Settings → Install command-line tool), then start Tessera.')}`,
    '',
  ].join('\n');
}

/** Reads `tessera kubeconfig-user NAME [ACCOUNT] [--scope S | --server-id APP] … [--command PATH]`. */
export function parseKubeconfigUserArgs(args: readonly string[], defaultCommand: string): KubeconfigUserOptions {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith('-') || name.trim() === '') throw new IntegrationError('usage', 'Name the kubeconfig user: tessera kubeconfig-user NAME [ACCOUNT] [--server-id APP].');
  const commandAt = rest.findIndex((arg) => arg === '--command' || arg.startsWith('--command='));
  let command = defaultCommand;
  const pluginArgs = [...rest];
  if (commandAt >= 0) {
    const arg = rest[commandAt] ?? '';
    const inline = arg.startsWith('--command=') ? arg.slice('--command='.length) : undefined;
    const value = inline ?? rest[commandAt + 1];
    if (!value) throw new IntegrationError('usage', '--command needs the path of the tessera command.');
    command = value;
    pluginArgs.splice(commandAt, inline === undefined ? 2 : 1);
  }
  return { name, command, args: pluginArgs };
}
