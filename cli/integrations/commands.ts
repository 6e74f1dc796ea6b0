/**
 * The integration subcommands of `tessera`, behind one entry point the command's dispatcher calls:
 * `kubectl-credential` (alias `get-token`, kubelogin's spelling), `kubeconfig-user`,
 * `git-credential`, `exec … --azure-identity -- COMMAND…` and `token … --format az`.
 *
 * Output goes to the given streams; every failure is one line on stderr that says what to do and
 * never contains a token.
 */
import { basename } from 'node:path';
import { flagValue, flagValues, readArgs, secondsValue } from './args';
import { formatAzAccessToken } from './az-format';
import { describeError, IntegrationError, isScopeToken, resourceScope, type GetToken } from './get-token';
import { answerGitCredential, GIT_CREDENTIAL_LIMITS, parseCredentialInput, parseGitCredentialArgs } from './git-credential';
import { kubeconfigUserEntry, kubectlCredential, parseKubeconfigUserArgs, parseKubectlCredentialArgs } from './kubectl-credential';

/** The streams and services a subcommand uses. */
export interface IntegrationIo {
  readonly getToken: GetToken;
  readonly stdin: AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  /** The path kubeconfig entries name as `command:` (the installed `tessera`). */
  readonly commandPath: string;
  /** The exit code for an error code (the `tessera` command's documented codes); default 1, usage 2. */
  readonly exitCodeFor?: (code: string) => number;
}

/** Subcommands that belong to the integrations whatever their options. */
export const INTEGRATION_SUBCOMMANDS = ['kubectl-credential', 'get-token', 'kubeconfig-user', 'git-credential'] as const;

/**
 * Whether `argv` (without the program name) is an integration's: one of
 * {@link INTEGRATION_SUBCOMMANDS}, `exec` with `--azure-identity`, or `token` with `--format az`.
 */
export function isIntegrationCommand(argv: readonly string[]): boolean {
  const [command, ...rest] = argv;
  if ((INTEGRATION_SUBCOMMANDS as readonly string[]).includes(command ?? '')) return true;
  const options = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : rest.length);
  if (command === 'exec') return options.includes('--azure-identity');
  if (command === 'token') return options.some((arg, i) => arg === '--format=az' || (arg === '--format' && options[i + 1] === 'az'));
  return false;
}

/**
 * The program to report as the caller, when it is not the calling process: for `exec
 * --azure-identity`, the program it runs (that program asks for the tokens); for `git-credential`,
 * git (which runs helpers through `sh -c`, so the direct caller is a shell — and a standing rule
 * for "sh" would cover every script). Otherwise undefined: the calling program, as usual.
 */
export function integrationProgram(argv: readonly string[]): string | undefined {
  if (argv[0] === 'git-credential') return 'git';
  if (argv[0] !== 'exec') return undefined;
  const separator = argv.indexOf('--');
  const program = separator >= 0 ? argv[separator + 1] : undefined;
  return program ? basename(program).slice(0, 128) || undefined : undefined;
}

const defaultExitCode = (code: string): number => (code === 'usage' ? 2 : 1);

/** Runs an integration subcommand and returns the process exit code. */
export async function runIntegrationCommand(argv: readonly string[], io: IntegrationIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'kubectl-credential':
      case 'get-token':
        return await kubectlCommand(command === 'get-token' ? argv : args, io);
      case 'kubeconfig-user':
        io.stdout.write(kubeconfigUserEntry(parseKubeconfigUserArgs(args, io.commandPath)));
        return 0;
      case 'git-credential':
        return await gitCommand(args, io);
      case 'exec':
        return await execCommand(args, io);
      case 'token':
        return await azTokenCommand(args, io);
      default:
        throw new IntegrationError('usage', `Unknown command ${String(command).slice(0, 40)}.`);
    }
  } catch (error) {
    const { code, message } = describeError(error);
    io.stderr.write(`tessera: ${message}\n`);
    return (io.exitCodeFor ?? defaultExitCode)(code);
  }
}

async function kubectlCommand(args: readonly string[], io: IntegrationIo): Promise<number> {
  const { options, notes } = parseKubectlCredentialArgs(args);
  for (const note of notes) io.stderr.write(`${note}\n`);
  io.stdout.write(await kubectlCredential(options, io.env['KUBERNETES_EXEC_INFO'], io.getToken));
  return 0;
}

async function readInput(stdin: IntegrationIo['stdin'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) throw new IntegrationError('invalid_input', 'The credential request is too large to come from git.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function gitCommand(args: readonly string[], io: IntegrationIo): Promise<number> {
  const { action, options } = parseGitCredentialArgs(args);
  // Read the whole request even for store/erase: git writes it and would get EPIPE otherwise.
  const input = parseCredentialInput(await readInput(io.stdin, GIT_CREDENTIAL_LIMITS.maxInputBytes));
  const answer = await answerGitCredential(action, input, options, io.getToken);
  for (const note of answer.notes) io.stderr.write(`${note}\n`);
  io.stdout.write(answer.output);
  return 0;
}

async function execCommand(args: readonly string[], io: IntegrationIo): Promise<number> {
  const separator = args.indexOf('--');
  if (separator < 0 || separator === args.length - 1) throw new IntegrationError('usage', 'Put the command after --: tessera exec [ACCOUNT] --azure-identity -- COMMAND…');
  const read = readArgs(args.slice(0, separator), { '--azure-identity': { kind: 'boolean' }, '--account': { kind: 'value' } });
  if (!read.flags.has('--azure-identity')) throw new IntegrationError('usage', 'This form of exec needs --azure-identity.');
  if (read.positionals.length > 1) throw new IntegrationError('usage', 'exec takes at most one account before --.');
  const account = read.positionals[0] ?? flagValue(read, '--account');
  const [program, ...programArgs] = args.slice(separator + 1);
  // Loaded here, not at start: it needs node:http, node:crypto and node:child_process, which
  // every other subcommand (kubectl runs one on each call) would otherwise pay to load.
  const { runWithAzureIdentity } = await import('./azure-identity-server');
  return runWithAzureIdentity({
    getToken: io.getToken,
    ...(account !== undefined ? { account } : {}),
    command: program ?? '',
    args: programArgs,
    env: io.env,
  });
}

async function azTokenCommand(args: readonly string[], io: IntegrationIo): Promise<number> {
  const read = readArgs(args, {
    '--format': { kind: 'value' },
    '--account': { kind: 'value' },
    '--scope': { kind: 'value', repeat: true },
    '--resource': { kind: 'value' },
    '--min-valid': { kind: 'value' },
    '--subscription': { kind: 'value' },
    '--tenant': { kind: 'value' },
  });
  if (flagValue(read, '--format') !== 'az') throw new IntegrationError('usage', 'This form of token needs --format az.');
  if (read.positionals.length > 1) throw new IntegrationError('usage', 'token takes at most one account.');
  const account = read.positionals[0] ?? flagValue(read, '--account');
  const scopes = flagValues(read, '--scope');
  const resource = flagValue(read, '--resource');
  if (resource !== undefined) scopes.push(resourceScope(resource));
  for (const scope of scopes) if (!isScopeToken(scope)) throw new IntegrationError('usage', 'A scope or resource has characters a scope cannot have.');
  const minValidSeconds = secondsValue(flagValue(read, '--min-valid'), '--min-valid');
  const grant = await io.getToken({
    integration: 'cli',
    ...(account !== undefined ? { account } : {}),
    ...(scopes.length > 0 ? { scopes } : {}),
    ...(minValidSeconds !== undefined ? { minValidSeconds } : {}),
  });
  const tenant = flagValue(read, '--tenant');
  if (tenant !== undefined && grant.account.tenant !== undefined && tenant.toLowerCase() !== grant.account.tenant.toLowerCase()) {
    throw new IntegrationError('tenant_mismatch', `The account ${grant.account.username} is in another tenant than --tenant. Name an account of that tenant.`);
  }
  io.stdout.write(formatAzAccessToken(grant, flagValue(read, '--subscription')));
  return 0;
}
