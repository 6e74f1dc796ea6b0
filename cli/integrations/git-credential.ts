/**
 * git's credential helper protocol: `tessera git-credential get|store|erase`.
 *
 * git runs the helper with an action and writes `key=value` lines to its stdin; for `get` the
 * helper answers the same way (git `Documentation/git-credential.adoc`, "INPUT/OUTPUT FORMAT").
 * Configured per URL with git's own credential contexts, so the host → account choice lives in
 * git's config and Tessera stores nothing new:
 *
 *     [credential "https://dev.azure.com/contoso"]
 *         useHttpPath = true
 *         helper = "!tessera git-credential --account alice@contoso.com"
 *
 * `--url PREFIX` (repeatable) makes one helper line answer only for those URLs, so several lines can
 * sit in one `[credential]` section; a request for any other URL gets no answer and git asks the
 * next helper. `store` and `erase` never persist anything: every `get` asks the app.
 */
import { flagValue, flagValues, readArgs, secondsValue, type FlagSpec } from './args';
import { IntegrationError, isScopeToken, resourceScope, type GetToken, type TokenGrant } from './get-token';

/** Limits of the protocol (git `credential.c`: a line is at most 65535 bytes). */
export const GIT_CREDENTIAL_LIMITS = {
  maxLineBytes: 65_535,
  /** The whole input; git sends a few hundred bytes, so anything near this is not git. */
  maxInputBytes: 256 * 1024,
} as const;

/** Azure DevOps' resource id in Entra (GCM `docs/azrepos-users-and-tokens.md`). */
export const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798';

/** The attributes git sent: single values by key, multi-valued (`key[]`) ones as lists. */
export interface CredentialInput {
  readonly values: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads git's `key=value` lines, up to the first blank line or the end.
 *
 * Rules from git-credential.adoc: keys contain no `=`, NUL or newline; values no NUL or newline;
 * a key ending in `[]` collects values and an empty value clears its list; a later single value
 * replaces an earlier one. A malformed line is an error (git never sends one).
 */
export function parseCredentialInput(text: string): CredentialInput {
  if (Buffer.byteLength(text) > GIT_CREDENTIAL_LIMITS.maxInputBytes) throw new IntegrationError('invalid_input', 'The credential request is too large to come from git.');
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  for (const rawLine of text.split('\n')) {
    // git writes LF; a CR before it comes from a hand-typed request on Windows.
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') break;
    if (Buffer.byteLength(line) > GIT_CREDENTIAL_LIMITS.maxLineBytes) throw new IntegrationError('invalid_input', 'A credential request line is longer than git allows.');
    if (line.includes('\0')) throw new IntegrationError('invalid_input', 'A credential request line contains a NUL byte.');
    const eq = line.indexOf('=');
    if (eq <= 0) throw new IntegrationError('invalid_input', 'A credential request line is not key=value.');
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key.endsWith('[]')) {
      const name = key.slice(0, -2);
      if (value === '') lists.delete(name);
      else lists.set(name, [...(lists.get(name) ?? []), value]);
    } else {
      values.set(key, value);
    }
  }
  applyUrl(values);
  return { values, lists };
}

// git may pass `url=` instead of its parts (git-credential.adoc, "url"): split it the way git does,
// without letting it override parts that were given explicitly.
function applyUrl(values: Map<string, string>): void {
  const url = values.get('url');
  if (url === undefined) return;
  let parts: [string, string][];
  try {
    const parsed = new URL(url);
    parts = [
      ['protocol', parsed.protocol.replace(/:$/, '')],
      ['host', parsed.host],
      ['path', decodeURIComponent(parsed.pathname.replace(/^\//, ''))],
      ['username', decodeURIComponent(parsed.username)],
    ];
  } catch {
    throw new IntegrationError('invalid_input', 'The credential request has a url that is not a URL.');
  }
  for (const [key, value] of parts) if (value !== '' && !values.has(key)) values.set(key, value);
}

/** Lines for git: `key=value`, refusing values that would break the protocol. */
export function formatCredentialOutput(fields: readonly (readonly [string, string])[]): string {
  return fields
    .map(([key, value]) => {
      if (/[=\n\0]/.test(key.replace(/\[\]$/, '')) || /[\n\0]/.test(value)) throw new IntegrationError('invalid_input', 'A credential value cannot contain a newline or NUL byte.');
      return `${key}=${value}\n`;
    })
    .join('');
}

/** How one helper line is configured. */
export interface GitCredentialOptions {
  /** URL prefixes this helper answers for; empty means every https URL git asks about. */
  readonly urls: readonly string[];
  readonly account?: string;
  readonly scopes: readonly string[];
  /** The host accepts `Authorization: Bearer` (sent only when git offers `capability[]=authtype`). */
  readonly bearer: boolean;
  readonly minValidSeconds?: number;
}

/** A helper action. Unknown actions are ignored (git-credential.adoc asks helpers to). */
export type GitCredentialAction = 'get' | 'store' | 'erase' | 'unknown';

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  '--url': { kind: 'value', repeat: true },
  '--account': { kind: 'value' },
  '--scope': { kind: 'value', repeat: true },
  '--resource': { kind: 'value' },
  '--bearer': { kind: 'boolean' },
  '--min-valid': { kind: 'value' },
};

/**
 * Reads `tessera git-credential [--url PREFIX]… [--account A] [--scope S]… [--resource R]
 * [--bearer] [--min-valid SECONDS] ACTION`; git appends ACTION to the configured helper line.
 */
export function parseGitCredentialArgs(args: readonly string[]): { readonly action: GitCredentialAction; readonly options: GitCredentialOptions } {
  const read = readArgs(args, FLAGS);
  if (read.positionals.length !== 1) throw new IntegrationError('usage', 'Usage: tessera git-credential [--account A] [--url PREFIX]… get|store|erase (git adds the action).');
  const positional = read.positionals[0] ?? '';
  const action: GitCredentialAction = positional === 'get' || positional === 'store' || positional === 'erase' ? positional : 'unknown';
  const urls = flagValues(read, '--url');
  for (const url of urls) {
    if (prefixOf(url) === null) throw new IntegrationError('usage', '--url takes an https URL, for example --url https://dev.azure.com/contoso.');
  }
  const scopes = flagValues(read, '--scope');
  const resource = flagValue(read, '--resource');
  if (resource !== undefined) scopes.push(resourceScope(resource));
  for (const scope of scopes) if (!isScopeToken(scope)) throw new IntegrationError('usage', 'A scope or resource has characters a scope cannot have.');
  const account = flagValue(read, '--account');
  const minValidSeconds = secondsValue(flagValue(read, '--min-valid'), '--min-valid');
  return {
    action,
    options: {
      urls,
      ...(account !== undefined ? { account } : {}),
      scopes,
      bearer: read.flags.has('--bearer'),
      ...(minValidSeconds !== undefined ? { minValidSeconds } : {}),
    },
  };
}

interface UrlPrefix {
  readonly host: string;
  readonly segments: readonly string[];
}

function prefixOf(url: string): UrlPrefix | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.search || parsed.hash) return null;
    return { host: parsed.host.toLowerCase(), segments: pathSegments(parsed.pathname) };
  } catch {
    return null;
  }
}

function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

// git writes `host` with the port only when the URL had one; `URL.host` drops a default port.
function normalHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith(':443') ? lower.slice(0, -4) : lower;
}

/** Whether a request is for an Azure DevOps organisation (its default resource applies). */
function isAzureDevOps(host: string): boolean {
  return host === 'dev.azure.com' || host.endsWith('.visualstudio.com');
}

/** What a `get` decided: the lines for git, and notes for the person (git shows a helper's stderr). */
export interface GitCredentialAnswer {
  readonly output: string;
  readonly notes: readonly string[];
}

/**
 * Answers one helper call.
 *
 * `get` for a matching https URL asks the app for a token and answers `username` + `password`
 * (the token) + `password_expiry_utc`; with `--bearer` and git offering `capability[]=authtype`
 * (git ≥ 2.46) it answers `authtype=Bearer` + `credential` + `ephemeral=true` instead. No answer
 * (empty output) lets git ask its next helper: for other URLs, for plain http (a token never goes
 * over an unencrypted connection), and when the app refuses.
 */
export async function answerGitCredential(action: GitCredentialAction, input: CredentialInput, options: GitCredentialOptions, getToken: GetToken): Promise<GitCredentialAnswer> {
  if (action !== 'get') return { output: '', notes: [] };
  const protocol = input.values.get('protocol');
  const host = normalHost(input.values.get('host') ?? '');
  if (host === '') return { output: '', notes: [] };
  if (protocol !== 'https') {
    if (protocol === 'http') return { output: '', notes: [`tessera: not answering for http://${host}: a token is only sent over https.`] };
    return { output: '', notes: [] };
  }
  const path = input.values.get('path');
  const matched = matchUrl(options.urls, host, path);
  if (matched === 'no') return { output: '', notes: [] };
  if (matched === 'needs-path') {
    return { output: '', notes: [`tessera: git did not send the path for https://${host}; run \`git config --global credential.https://${host}.useHttpPath true\` so tessera can tell the accounts apart.`] };
  }
  const scopes = options.scopes.length > 0 ? options.scopes : isAzureDevOps(host) ? [resourceScope(AZURE_DEVOPS_RESOURCE)] : [];
  let grant: TokenGrant;
  try {
    grant = await getToken({
      integration: 'git',
      ...(options.account !== undefined ? { account: options.account } : {}),
      ...(scopes.length > 0 ? { scopes } : {}),
      ...(options.minValidSeconds !== undefined ? { minValidSeconds: options.minValidSeconds } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : 'Tessera did not answer.';
    return { output: '', notes: [`tessera: no token for https://${host}: ${message}`] };
  }
  const expiry = String(grant.expiresOn);
  const capabilities = input.lists.get('capability') ?? [];
  if (options.bearer && capabilities.includes('authtype')) {
    return {
      output: formatCredentialOutput([
        ['capability[]', 'authtype'],
        ['authtype', 'Bearer'],
        ['credential', grant.accessToken],
        ['ephemeral', 'true'],
        ['password_expiry_utc', expiry],
      ]),
      notes: [],
    };
  }
  const username = input.values.get('username') || grant.account.username;
  return {
    output: formatCredentialOutput([
      ['username', username],
      ['password', grant.accessToken],
      ['password_expiry_utc', expiry],
    ]),
    notes: [],
  };
}

function matchUrl(urls: readonly string[], host: string, path: string | undefined): 'yes' | 'no' | 'needs-path' {
  if (urls.length === 0) return 'yes';
  const segments = path === undefined ? undefined : pathSegments(path);
  let hostMatched = false;
  for (const url of urls) {
    const prefix = prefixOf(url);
    if (!prefix || normalHost(prefix.host) !== host) continue;
    hostMatched = true;
    if (prefix.segments.length === 0) return 'yes';
    if (segments === undefined) continue;
    if (prefix.segments.every((segment, i) => segments[i] === segment)) return 'yes';
  }
  return hostMatched && segments === undefined ? 'needs-path' : 'no';
}
