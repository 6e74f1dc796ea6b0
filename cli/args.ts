/**
 * Command-line parsing of `tessera`. Hand-written (no parser library) so the bundle stays small.
 */

/** Output formats of `tessera token`. */
export type TokenFormat = 'raw' | 'header' | 'json' | 'env';

/** Options shared by `token` and `exec`. */
export interface TokenOptions {
  readonly account?: string;
  readonly scopes: readonly string[];
  readonly resource?: string;
  readonly minValidSeconds?: number;
  readonly forceRefresh: boolean;
  readonly interactive: boolean;
  readonly idToken: boolean;
  /** The program name to report instead of the calling program's. */
  readonly program?: string;
}

/** A parsed command line. */
export type Command =
  | { readonly kind: 'help'; readonly topic?: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'status'; readonly json: boolean }
  | { readonly kind: 'accounts'; readonly json: boolean }
  | ({ readonly kind: 'token'; readonly format: TokenFormat; readonly envName: string } & TokenOptions)
  | ({ readonly kind: 'exec'; readonly envName: string; readonly command: readonly string[] } & TokenOptions);

/** Bad arguments; the message says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The environment variable `exec` and `--format env` use unless `--env NAME` says otherwise. */
export const DEFAULT_ENV_NAME = 'TESSERA_ACCESS_TOKEN';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `argv` (without `node` and the script). */
export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      return { kind: 'help', ...(rest[0] ? { topic: rest[0] } : {}) };
    case '--version':
    case '-V':
    case 'version':
      return { kind: 'version' };
    case 'status':
    case 'accounts':
      return { kind: name, json: flagsOnly(name, rest, ['--json']).has('--json') };
    case 'token':
    case 'exec':
      return parseTokenCommand(name, rest);
    default:
      throw new UsageError(`unknown command "${name.slice(0, 40)}". Run: tessera help`);
  }
}

function flagsOnly(command: string, args: readonly string[], allowed: readonly string[]): Set<string> {
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg === '-h' || arg === '--help') throw new UsageError(`usage: tessera ${command} [--json]`);
    if (!allowed.includes(arg)) throw new UsageError(`unexpected "${arg.slice(0, 40)}" for "tessera ${command}". Run: tessera help ${command}`);
    seen.add(arg);
  }
  return seen;
}

function parseTokenCommand(kind: 'token' | 'exec', args: readonly string[]): Command {
  let account: string | undefined;
  const scopes: string[] = [];
  let resource: string | undefined;
  let minValidSeconds: number | undefined;
  let forceRefresh = false;
  let interactive = false;
  let idToken = false;
  let program: string | undefined;
  let format: TokenFormat = 'raw';
  let envName = DEFAULT_ENV_NAME;
  let command: string[] | undefined;

  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') {
      command = args.slice(i + 1);
      break;
    }
    // --name=value is accepted as well as --name value.
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next === '--') throw new UsageError(`${flag} needs a value. Run: tessera help ${kind}`);
      i += 1;
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        throw new UsageError(`usage: ${kind === 'token' ? TOKEN_USAGE : EXEC_USAGE}`);
      case '-s':
      case '--scope':
        for (const scope of value().split(/\s+/).filter(Boolean)) scopes.push(scope);
        break;
      case '--resource':
        resource = value();
        break;
      case '--min-valid':
      case '--time': {
        const raw = value();
        const seconds = Number(raw);
        if (!/^\d+$/.test(raw) || seconds > 86_400) throw new UsageError('--min-valid takes a number of seconds from 0 to 86400.');
        minValidSeconds = seconds;
        break;
      }
      case '--force-refresh':
        forceRefresh = true;
        break;
      case '--interactive':
        interactive = true;
        break;
      case '--id-token':
        idToken = true;
        break;
      case '--program':
        program = value();
        if (program.trim() === '' || program.length > 128) throw new UsageError('--program takes a name of 1 to 128 characters.');
        break;
      case '--format':
      case '-f': {
        if (kind !== 'token') throw new UsageError('--format is for "tessera token".');
        const chosen = value();
        if (chosen !== 'raw' && chosen !== 'header' && chosen !== 'json' && chosen !== 'env') throw new UsageError('--format must be raw, header, json or env.');
        format = chosen;
        break;
      }
      case '--env':
        envName = value();
        if (!ENV_NAME.test(envName)) throw new UsageError('--env takes a variable name (letters, digits, underscore).');
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg.slice(0, 40)}". Run: tessera help ${kind}`);
        if (account !== undefined) throw new UsageError(`one account only ("${account}" and "${arg.slice(0, 40)}"). Run: tessera help ${kind}`);
        account = arg;
    }
  }
  if (resource !== undefined) {
    try {
      new URL(resource);
    } catch {
      throw new UsageError('--resource takes a URI, e.g. https://management.azure.com');
    }
  }
  const common: TokenOptions = {
    ...(account !== undefined ? { account } : {}),
    scopes,
    ...(resource !== undefined ? { resource } : {}),
    ...(minValidSeconds !== undefined ? { minValidSeconds } : {}),
    forceRefresh,
    interactive,
    idToken,
    ...(program !== undefined ? { program } : {}),
  };
  if (kind === 'token') {
    if (command !== undefined) throw new UsageError('"--" and a command belong to "tessera exec".');
    return { kind, format, envName, ...common };
  }
  if (!command || command.length === 0) throw new UsageError(`exec needs a command after "--". usage: ${EXEC_USAGE}`);
  return { kind, envName, command, ...common };
}

const TOKEN_USAGE =
  'tessera token [ACCOUNT] [--scope S]… [--resource URI] [--min-valid SECONDS] [--force-refresh] [--format raw|header|json|env] [--env NAME] [--id-token] [--interactive] [--program NAME]';
const EXEC_USAGE = 'tessera exec [ACCOUNT] [--scope S]… [--resource URI] [--min-valid SECONDS] [--env NAME] [--interactive] [--program NAME] -- COMMAND [ARG…]';

/** `tessera help`. */
export const HELP = `tessera — tokens from the running Tessera app, with your consent

usage:
  tessera status [--json]            is Tessera running, where, how it stores tokens
  tessera accounts [--json]          the signed-in accounts
  ${TOKEN_USAGE}
  ${EXEC_USAGE}

tools that speak their own protocol (README: "kubectl, git and the Azure SDKs"):
  tessera kubectl-credential [ACCOUNT] [--server-id APP | --scope S]… [--tenant-id T]
                                     kubectl's exec credential plugin (kubelogin's get-token works too)
  tessera kubeconfig-user NAME [ACCOUNT] [--server-id APP | --scope S]…
                                     prints the kubeconfig users: entry that runs it
  tessera git-credential [--account A] [--url PREFIX]… [--scope S | --resource R] [--bearer] get|store|erase
                                     git's credential helper (git adds the action)
  tessera exec [ACCOUNT] --azure-identity -- COMMAND…
                                     Azure SDKs in COMMAND get tokens as a managed identity
  tessera token [ACCOUNT] [--resource URI] [--subscription S] --format az
                                     the JSON of az account get-access-token

ACCOUNT is a username, an account id, or profile:username; without it, the default account
chosen in Tessera (or the only one). --min-valid refreshes when the token expires sooner.
exec runs COMMAND with the token in $${DEFAULT_ENV_NAME} (or --env NAME) of that command only.

The first request from a program opens a prompt in Tessera: allow once, allow this terminal
session, always allow this program, or deny. Callers without a terminal need an "always allow"
rule: run the command once from a terminal with --program NAME and choose "Always allow".

exit codes: 0 ok · 1 failure · 2 usage · 3 Tessera not running (or its socket is unsafe)
            4 sign-in needed · 5 consent denied / not given · 6 no such account
            exec: the command's own exit code once it runs`;
