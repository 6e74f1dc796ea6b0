/**
 * The `tessera` command: tokens from the running Tessera app over its local channel.
 *
 * Bundled into one small CommonJS file (dist/cli/tessera.cjs) that imports only Node built-ins, so
 * it starts fast (what only `exec` needs loads on demand, from a chunk beside it; cli/build.mjs);
 * `cli/tessera.cjs` is the `bin` that loads it (building it first in a fresh checkout). Errors are one line on stderr that say what to do, and never contain a token.
 */
import { writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { HELP, parseArgs, UsageError, type Command, type TokenOptions } from './args';
import { describeCaller } from './caller';
import { connectToApp, NotRunningError, request, type Answer } from './client';
import { EXIT, exitCodeFor } from './exit-codes';
import { bridgeGetToken } from './integrations/bridge-get-token';
import { integrationProgram, isIntegrationCommand, runIntegrationCommand } from './integrations/commands';

/** Where the command writes; tests pass their own. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * Writes to standard output without building `process.stdout`, which costs about a millisecond
 * for a pipe (kubectl and `$(…)` read the command through one). Node writes pipes and files
 * synchronously on POSIX anyway; a descriptor its owner made non-blocking (EAGAIN) gets the rest
 * through the stream. Windows consoles go through the stream, which converts the text for them.
 */
function writeStdout(text: string): void {
  if (process.platform === 'win32') {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    process.stdout.write(bytes.subarray(offset));
  }
}

const defaultIo: Io = {
  stdout: writeStdout,
  stderr: (text) => process.stderr.write(text),
};

declare const TESSERA_VERSION: string | undefined;

interface TokenAnswer {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresOn: number;
  readonly scopes: readonly string[];
  readonly account: { readonly id: string; readonly username: string; readonly profileName: string };
  readonly idToken?: string;
}

/**
 * The path the native client (cli/native) was run as, when it handed this command over; read once
 * and removed, so `exec`'s child does not inherit it.
 */
const invokedAs = ((): string | undefined => {
  const path = process.env.TESSERA_INVOKED_AS;
  delete process.env.TESSERA_INVOKED_AS;
  return path && path.startsWith('/') ? path : undefined;
})();

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  if (isIntegrationCommand(argv)) return integration(argv, io);
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tessera: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  try {
    switch (command.kind) {
      case 'help':
        io.stdout(`${HELP}\n`);
        return EXIT.ok;
      case 'version':
        io.stdout(`${typeof TESSERA_VERSION === 'string' ? TESSERA_VERSION : 'dev'}\n`);
        return EXIT.ok;
      case 'status':
        return await status(command.json, io);
      case 'accounts':
        return await accounts(command.json, io);
      case 'token':
        return await token(command, io);
      case 'exec':
        return await exec(command, io);
    }
  } catch (error) {
    if (error instanceof NotRunningError) {
      io.stderr(`tessera: ${error.message}\n`);
      return EXIT.appNotRunning;
    }
    // Our own messages carry no token; anything unexpected is reported by name only.
    io.stderr(`tessera: ${error instanceof Error && error.message.length < 300 ? error.message : 'unexpected failure'}\n`);
    return EXIT.failure;
  }
}

/**
 * kubectl-credential, git-credential, kubeconfig-user, exec --azure-identity and token --format az
 * (cli/integrations): the same channel, with the tool's name as the integration.
 */
function integration(argv: readonly string[], io: Io): Promise<number> {
  const program = integrationProgram(argv);
  return runIntegrationCommand(argv, {
    getToken: bridgeGetToken({ onNotice: (notice) => io.stderr(`tessera: ${notice.message}\n`), ...(program !== undefined ? { program } : {}) }),
    // process.stdin builds its stream on first access (milliseconds): only git-credential reads it.
    stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
    stdout: { write: (text: string) => io.stdout(text) },
    stderr: { write: (text: string) => io.stderr(text) },
    env: process.env,
    // The path this command was started by, for kubeconfig entries: the one the native client was
    // run as when it handed over (so kubectl runs the native client), else the launcher or its link.
    commandPath: invokedAs ?? (process.argv[1] ? resolvePath(process.argv[1]) : 'tessera'),
    exitCodeFor: (code) => {
      if (code === 'usage') return EXIT.usage;
      if (code === 'app_not_running') return EXIT.appNotRunning;
      // As a shell does when it cannot run a command (and as exec does).
      if (code === 'exec_failed') return 127;
      return exitCodeFor(code);
    },
  });
}

async function ask(method: string, params: Record<string, unknown>, integration: 'cli' | 'exec', io: Io, program?: string): Promise<Answer> {
  // The caller report is read while the connection is being set up, not after.
  const connecting = connectToApp();
  const caller = describeCaller(integration, program);
  return request(await connecting, method, params, caller, (notice) => io.stderr(`tessera: ${notice.message}\n`));
}

function failed(answer: Answer & { ok: false }, io: Io): number {
  io.stderr(`tessera: ${answer.error.message}\n`);
  return exitCodeFor(answer.error.code);
}

async function status(json: boolean, io: Io): Promise<number> {
  const answer = await ask('status', {}, 'cli', io);
  if (!answer.ok) return failed(answer, io);
  const value = answer.value as {
    version: string;
    mode: string;
    pid: number;
    endpoint: string;
    storage: { mode: string; backend: string; reason?: string };
    approvals: { uiOpen: boolean; where: string };
    accounts: number;
    defaultAccount?: string;
  };
  if (json) {
    io.stdout(`${JSON.stringify(value, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(
    [
      `Tessera ${value.version} is running (${value.mode === 'browser' ? 'browser mode' : 'desktop app'}, pid ${value.pid})`,
      `  socket:    ${value.endpoint}`,
      `  storage:   ${value.storage.mode} (${value.storage.backend})${value.storage.reason ? ` — ${value.storage.reason}` : ''}`,
      `  approvals: ${value.approvals.where}${value.approvals.uiOpen ? '' : ' (not open now)'}`,
      `  accounts:  ${value.accounts}${value.defaultAccount ? `, default ${value.defaultAccount}` : ''}`,
    ].join('\n') + '\n',
  );
  return EXIT.ok;
}

async function accounts(json: boolean, io: Io): Promise<number> {
  const answer = await ask('accounts', {}, 'cli', io);
  if (!answer.ok) return failed(answer, io);
  const list = answer.value as { id: string; username: string; profileName: string; status: string; expiresOn?: number; isDefault: boolean }[];
  if (json) {
    io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  if (list.length === 0) {
    io.stdout('No accounts yet. Add one in Tessera.\n');
    return EXIT.ok;
  }
  const rows = list.map((account) => [`${account.isDefault ? '* ' : '  '}${account.username}`, account.profileName, account.status, account.id]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) io.stdout(`${row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  ')}\n`);
  return EXIT.ok;
}

function tokenParams(options: TokenOptions): Record<string, unknown> {
  return {
    ...(options.account !== undefined ? { account: options.account } : {}),
    ...(options.scopes.length > 0 ? { scopes: options.scopes } : {}),
    ...(options.resource !== undefined ? { resource: options.resource } : {}),
    ...(options.minValidSeconds !== undefined ? { minValidSeconds: options.minValidSeconds } : {}),
    ...(options.forceRefresh ? { forceRefresh: true } : {}),
    ...(options.idToken ? { withIdToken: true } : {}),
    ...(options.interactive ? { interactive: true } : {}),
  };
}

async function token(command: Command & { kind: 'token' }, io: Io): Promise<number> {
  const answer = await ask('token', tokenParams(command), 'cli', io, command.program);
  if (!answer.ok) return failed(answer, io);
  const value = answer.value as TokenAnswer;
  switch (command.format) {
    case 'raw':
      io.stdout(`${command.idToken && value.idToken ? value.idToken : value.accessToken}\n`);
      break;
    case 'header':
      io.stdout(`Authorization: ${value.tokenType || 'Bearer'} ${value.accessToken}\n`);
      break;
    case 'json':
      io.stdout(
        `${JSON.stringify({
          accessToken: value.accessToken,
          tokenType: value.tokenType,
          expiresOn: value.expiresOn,
          expiresAt: new Date(value.expiresOn * 1000).toISOString(),
          scopes: value.scopes,
          account: value.account.username,
          accountId: value.account.id,
          profile: value.account.profileName,
          ...(value.idToken ? { idToken: value.idToken } : {}),
        })}\n`,
      );
      break;
    case 'env':
      // The same shape as oidc-token --env: eval "$(tessera token --format env)".
      io.stdout(`${command.envName}=${value.accessToken}; export ${command.envName};\n${command.envName}_EXPIRES_ON=${value.expiresOn}; export ${command.envName}_EXPIRES_ON;\n`);
      break;
  }
  return EXIT.ok;
}

async function exec(command: Command & { kind: 'exec' }, io: Io): Promise<number> {
  const answer = await ask('token', tokenParams(command), 'exec', io, command.program);
  if (!answer.ok) return failed(answer, io);
  const value = answer.value as TokenAnswer;
  const [file, ...args] = command.command as [string, ...string[]];
  // Loaded only here: node:child_process costs every other subcommand several milliseconds.
  const { spawn } = await import('node:child_process');
  // The token goes into this child's environment only, never into ours or onto a command line.
  const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, [command.envName]: value.accessToken } });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise<number>((resolve) => {
    child.once('error', (error) => {
      io.stderr(`tessera: could not run "${file.slice(0, 80)}" (${(error as { code?: string }).code ?? error.name}). Check the command name.\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // A child killed by a signal exits 128+N in a shell; do the same.
      resolve(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : EXIT.failure));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal];
}
