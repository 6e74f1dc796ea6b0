/**
 * Bench rows for the `tessera` command (token bridge, part 1).
 *
 * The real browser-mode host with its token bridge, the real test provider, one account signed in
 * (headless, through the provider's own login form) and a standing rule for the bench's program:
 * - `tessera token` as a whole process on a cache hit: wall time from spawn to exit, median of at
 *   least 30 runs, each answer checked (the same cached token, no request to the provider). The
 *   headline row is what a user runs: the launcher "Install command-line tool" writes, which runs
 *   the native client (cli/native); the native client alone and the Node client are rows too;
 * - the socket round trip inside the app: connect, one `token` request line, the answer;
 * - peers in the same run when installed: Debian oidc-agent's `oidc-token` against the same
 *   provider, and azure-cli's `az account show` (its start-up, which every `az` call pays).
 * Goals (issue 10): tessera token ≤ 2× oidc-token, ≥ 15× faster than az; round trip p50 ≤ 1 ms.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandLineToolInstaller, commandLineToolFiles } from '../main/bridge/command-line-tool';
import { startBrowserMode } from '../main/browser-host/browser-mode';
import { RecordingClipboard } from '../main/clipboard/clipboard';
import { DEMO_PROFILE_ID } from '../main/services/profiles';
import { signInHeadless } from '../test/support/idp/headless-sign-in';
import { DEMO_API, PUBLIC_CLIENT_ID, type TestIdp } from '../test/support/idp';
import { startOidcAgentPeer } from './oidc-agent-peer';
import { summarize, type TimingSummary } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMMAND = commandLineToolFiles(ROOT);
const BIN = COMMAND.script;
const PROGRAM = 'tessera-bench';

/** A whole-process row: a command timed from spawn to exit. */
export interface ProcessRow extends TimingSummary {
  readonly command: string;
}

/** The command's bench result. */
/** The same commands timed by hyperfine, when it is installed. */
export interface HyperfineRows {
  /** hyperfine's version line. */
  readonly tool: string;
  readonly rows: readonly ProcessRow[];
}

export interface CliTokenBench {
  /** What a user runs: the installed launcher (native client when built), the goals' subject. */
  readonly tessera: ProcessRow;
  /** The native client alone and the Node client, for the record. */
  readonly variants: readonly ProcessRow[];
  readonly socketRoundTrip: TimingSummary;
  readonly peers: readonly ProcessRow[];
  /**
   * The installed command, `oidc-token` and `az` again, started by hyperfine without a shell: a
   * Node parent's spawn adds about 3 ms to every run, which shrinks the ratio between two fast
   * commands. The goals are judged on these rows when they are there.
   */
  readonly hyperfine?: HyperfineRows;
  /** One line per peer that was not measured, saying why. */
  readonly skipped: readonly string[];
  readonly goals: { readonly vsOidcToken: number; readonly vsAz: number; readonly roundTripP50Us: number };
}

/** Runs a process; resolves with its wall time (ns), exit code and stdout. */
function timeProcess(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ ns: number; code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ns: Number(process.hrtime.bigint() - start), code: code ?? -1, stdout }));
  });
}

async function timeRuns(file: string, args: readonly string[], env: NodeJS.ProcessEnv, warmup: number, runs: number, check: (run: { code: number; stdout: string }) => void): Promise<TimingSummary> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i += 1) {
    const run = await timeProcess(file, args, env);
    check(run);
    if (i >= warmup) samples.push(run.ns);
  }
  return summarize(samples);
}

/** Times `commands` (name and argv) with `hyperfine -N`; each row from hyperfine's own samples. */
function hyperfine(commands: readonly { readonly name: string; readonly argv: readonly string[] }[], env: NodeJS.ProcessEnv, runs: number, exportPath: string): Promise<ProcessRow[]> {
  const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
  const args = ['-N', '--style', 'none', '--warmup', '3', '--runs', String(runs), '-i', '--export-json', exportPath, ...commands.map((command) => command.argv.map(quote).join(' '))];
  return new Promise<void>((resolve, reject) => execFile('hyperfine', args, { env, timeout: 600_000 }, (error) => (error ? reject(error) : resolve()))).then(async () => {
    const report = JSON.parse(await readFile(exportPath, 'utf8')) as { results: { times: number[] }[] };
    return commands.map((command, i) => ({ command: command.name, ...summarize((report.results[i]?.times ?? []).map((seconds) => seconds * 1e9)) }));
  });
}

function installed(command: string, args: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(command, args, { timeout: 20_000 }, (error) => resolve(!error || typeof (error as { code?: unknown }).code === 'number')));
}

/** One `token` request over a fresh connection, as the command sends it; resolves with the answer line. */
function socketRequest(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      // Notice lines (waiting for approval) come before the answer.
      const answer = text.split('\n').find((candidate) => candidate.includes('"ok":'));
      if (answer !== undefined && text.endsWith('\n')) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', reject);
    socket.write(line);
  });
}

/** Measures the command, the socket and the peers against `idp`; `check` fails the bench. */
export async function measureCliToken(idp: TestIdp, quick: boolean, check: (ok: boolean, message: string) => void): Promise<CliTokenBench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-cli-'));
  const runtimeDir = await mkdtemp(join(tmpdir(), 'tessera-bench-run-'));
  const user = idp.users.find((candidate) => candidate.username === 'alice@contoso.com');
  if (!user) throw new Error('test provider has no alice');
  const mode = await startBrowserMode({
    version: 'bench',
    staticDir: join(ROOT, 'dist', 'renderer'),
    dataDir,
    clipboard: new RecordingClipboard(),
    openExternal: (url) => signInHeadless(url, user, idp.caCertPem),
    demo: {
      profile: { name: 'Local demo provider', kind: 'oidc', clientId: PUBLIC_CLIENT_ID, authority: idp.oidcIssuer, defaultScopes: [`${DEMO_API}/read`], signInMethod: 'system-browser' },
      origin: idp.origin,
      caPath: idp.caPath,
      instanceDiscoveryUrl: idp.instanceDiscoveryUrl,
    },
    bridge: { env: { XDG_RUNTIME_DIR: runtimeDir } },
  });
  const skipped: string[] = [];
  try {
    const bridge = mode.bridge;
    if (!bridge) throw new Error('the token bridge did not start');
    await mode.core.addAccount({ profileId: DEMO_PROFILE_ID, method: 'system-browser' });
    const path = bridge.server.endpoint.path;
    // A standing rule for the bench's program: approved once, as a person would from a terminal.
    const approve = bridge.service.subscribe((event) => {
      if (event.type === 'consent-requested') bridge.service.answerConsent(event.prompt.id, 'always');
    });
    const caller = { program: PROGRAM, tty: '/dev/pts/bench', terminalSession: '1', integration: 'cli' };
    const first = JSON.parse(await socketRequest(path, `${JSON.stringify({ v: 1, id: 1, method: 'token', params: {}, caller })}\n`)) as { ok: boolean; value?: { accessToken: string } };
    approve();
    check(first.ok && typeof first.value?.accessToken === 'string', 'the bench could not get a first token through the bridge');
    const cached = first.value?.accessToken ?? '';

    // The socket round trip, in the app's own process: what the command's request costs the app.
    const line = `${JSON.stringify({ v: 1, id: 2, method: 'token', params: {}, caller: { program: PROGRAM, integration: 'cli' } })}\n`;
    idp.resetRequestCount();
    const roundTrips: number[] = [];
    const calls = quick ? 200 : 2_000;
    for (let i = 0; i < calls + 100; i += 1) {
      const start = process.hrtime.bigint();
      const answer = await socketRequest(path, line);
      const elapsed = Number(process.hrtime.bigint() - start);
      check(answer.includes(cached), 'a socket round trip answered another token than the cached one');
      if (i >= 100) roundTrips.push(elapsed);
    }
    check(idp.requestCount() === 0, `socket round trips made ${idp.requestCount()} requests to the provider`);

    // The command as a whole process, on a cache hit: the installed launcher, the native client
    // alone, the Node client alone.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_RUNTIME_DIR: runtimeDir };
    const runs = quick ? 10 : 40;
    const sameToken = (what: string) => (run: { code: number; stdout: string }) =>
      check(run.code === 0 && run.stdout.trim() === cached, `${what} exited ${run.code} or printed another token than the cached one`);
    const { buildNative } = (await import(join(ROOT, 'cli', 'native', 'build.mjs'))) as { buildNative(root: string): Promise<{ built: boolean; reason?: string }> };
    const native = await buildNative(ROOT);
    const binDir = join(dataDir, 'bin');
    const launcher = await new CommandLineToolInstaller({ ...COMMAND, binDir, env }).install();
    const nodeClient: ProcessRow = { command: 'tessera token (Node client)', ...(await timeRuns(process.execPath, [BIN, 'token', '--program', PROGRAM], env, 3, runs, sameToken('the Node client'))) };
    const variants: ProcessRow[] = [];
    let tessera = nodeClient;
    if (native.built) {
      tessera = { command: 'tessera token (installed; native client)', ...(await timeRuns(launcher.installPath, ['token', '--program', PROGRAM], env, 3, runs, sameToken('the installed tessera token'))) };
      variants.push({ command: 'tessera-native token (no launcher)', ...(await timeRuns(COMMAND.native, ['token', '--program', PROGRAM], env, 3, runs, sameToken('tessera-native token'))) }, nodeClient);
    } else {
      skipped.push(`native client: not measured (${native.reason ?? 'not built'}); the headline row is the Node client`);
    }
    check(idp.requestCount() === 0, `tessera token made ${idp.requestCount()} requests to the provider on cache hits`);

    const peers: ProcessRow[] = [];
    // The floor under any Node command: the runtime starting and exiting, doing nothing.
    const nodeFloor = await timeRuns(process.execPath, ['-e', '0'], env, 3, runs, (run) => check(run.code === 0, 'node -e 0 failed'));
    peers.push({ command: 'node -e 0 (Node start-up, reference)', ...nodeFloor });
    const agent = await startOidcAgentPeer(idp).catch((error: unknown) => {
      skipped.push(`oidc-token: skipped (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    });
    const hyperfineVersion = await new Promise<string | undefined>((resolve) => execFile('hyperfine', ['--version'], (error, stdout) => resolve(error ? undefined : stdout.trim())));
    const precise: ProcessRow[] = [];
    if (!hyperfineVersion) skipped.push('hyperfine: not installed (apt-get install hyperfine), so the goals are judged on the Node-spawned rows, which add about 3 ms to every run');
    const tesseraArgv = [native.built ? launcher.installPath : process.execPath, ...(native.built ? [] : [BIN]), 'token', '--program', PROGRAM];
    if (agent) {
      try {
        const row = await timeRuns('oidc-token', [agent.account], agent.env, 3, runs, (run) => check(run.code === 0 && run.stdout.trim().length > 20, `oidc-token exited ${run.code}`));
        peers.push({ command: 'oidc-token (oidc-agent)', ...row });
        if (hyperfineVersion) {
          precise.push(
            ...(await hyperfine(
              [
                { name: tessera.command, argv: tesseraArgv },
                { name: 'oidc-token (oidc-agent)', argv: ['oidc-token', agent.account] },
              ],
              { ...agent.env, XDG_RUNTIME_DIR: runtimeDir },
              runs,
              join(dataDir, 'hyperfine-token.json'),
            )),
          );
        }
      } finally {
        await agent.stop();
      }
    } else if (hyperfineVersion) {
      precise.push(...(await hyperfine([{ name: tessera.command, argv: tesseraArgv }], env, runs, join(dataDir, 'hyperfine-token.json'))));
    }
    if (await installed('az', ['version'])) {
      const azConfig = await mkdtemp(join(tmpdir(), 'tessera-bench-az-'));
      const azEnv = { ...env, AZURE_CONFIG_DIR: azConfig, AZURE_CORE_COLLECT_TELEMETRY: 'no' };
      try {
        // Not signed in: az starts, reads its config, says "Please run 'az login'" and exits 1 — its start-up, which every call pays.
        const row = await timeRuns('az', ['account', 'show'], azEnv, 1, quick ? 3 : 10, () => undefined);
        peers.push({ command: 'az account show (azure-cli start-up)', ...row });
        if (hyperfineVersion) precise.push(...(await hyperfine([{ name: 'az account show (azure-cli start-up)', argv: ['az', 'account', 'show'] }], azEnv, quick ? 3 : 10, join(dataDir, 'hyperfine-az.json'))));
      } finally {
        await rm(azConfig, { recursive: true, force: true });
      }
    } else {
      skipped.push('az: skipped (azure-cli is not installed: apt-get install azure-cli)');
    }
    return {
      tessera,
      variants,
      socketRoundTrip: summarize(roundTrips),
      peers,
      ...(hyperfineVersion && precise.length > 0 ? { hyperfine: { tool: hyperfineVersion, rows: precise } } : {}),
      skipped,
      goals: { vsOidcToken: 2, vsAz: 15, roundTripP50Us: 1_000 },
    };
  } finally {
    await mode.close();
    for (const dir of [dataDir, runtimeDir]) await rm(dir, { recursive: true, force: true });
  }
}

/** The report section. */
export function formatCliTokenBench(result: CliTokenBench, formatUs: (us: number) => string): string {
  const lines = ['tessera command: whole-process wall time (spawn to exit) and the socket round trip in the app'];
  const row = (r: ProcessRow): string => `  ${r.command.padEnd(38)} runs ${String(r.iterations).padStart(3)}  median ${formatUs(r.medianUs).padStart(9)}  min ${formatUs(r.minUs).padStart(9)}  max ${formatUs(r.maxUs).padStart(9)}`;
  lines.push(row(result.tessera));
  for (const variant of result.variants ?? []) lines.push(row(variant));
  for (const peer of result.peers) lines.push(row(peer));
  for (const note of result.skipped) lines.push(`  ${note}`);
  const rt = result.socketRoundTrip;
  lines.push(`  socket round trip (connect + token request, cache hit): calls ${rt.iterations}  p50 ${formatUs(rt.medianUs)}  p95 ${formatUs(rt.p95Us)}  (${rt.medianUs <= result.goals.roundTripP50Us ? 'meets' : 'misses'} the goal p50 ≤ ${formatUs(result.goals.roundTripP50Us)})`);
  // The goals are judged on hyperfine's rows when there are any: no Node spawn in every run.
  const judged = result.hyperfine ? result.hyperfine.rows : [result.tessera, ...result.peers];
  if (result.hyperfine) {
    lines.push(`  the same commands started by ${result.hyperfine.tool} -N (no shell, no Node spawn; the goals are judged on these):`);
    for (const precise of result.hyperfine.rows) lines.push(row(precise));
  }
  const ours = judged.find((candidate) => candidate.command === result.tessera.command) ?? result.tessera;
  const oidc = judged.find((peer) => peer.command.startsWith('oidc-token'));
  if (oidc) {
    const ratio = ours.medianUs / oidc.medianUs;
    lines.push(`  tessera token / oidc-token: ${ratio.toFixed(2)}× (${ratio <= result.goals.vsOidcToken ? 'meets' : 'misses'} the goal ≤ ${result.goals.vsOidcToken}×)`);
  }
  const az = judged.find((peer) => peer.command.startsWith('az'));
  if (az) {
    const ratio = az.medianUs / ours.medianUs;
    lines.push(`  az / tessera token: ${ratio.toFixed(1)}× faster (${ratio >= result.goals.vsAz ? 'meets' : 'misses'} the goal ≥ ${result.goals.vsAz}×)`);
  }
  return lines.join('\n');
}
