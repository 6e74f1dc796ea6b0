/**
 * Bench row for kubectl's exec credential plugin: the wall time of one `tessera kubectl-credential`
 * process on a cache hit — what kubectl pays on every command (issue 11 goal: ≤ 60 ms).
 *
 * The real bridge (socket, consent with a standing rule, activity log) runs in this process over an
 * in-memory app core whose token is always cached, so the figure is the command's own cost: Node's
 * start-up, loading the bundle, one socket round trip and the ExecCredential output. The same Node
 * binary starting an empty script (`node -e 0`) is timed alongside, the floor any Node-based plugin
 * pays here, and so is loading the bundle alone (`node -e "require(…/dist/cli/tessera.cjs)"`), so the
 * report splits the command's cost into Node's start-up, loading the code, and the rest (caller
 * report, connect, the app's answer, output). Every run must print an ExecCredential carrying the
 * token the core handed out. The native client (cli/native), which answers kubectl-credential
 * without starting Node, is a row of its own where it was built.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AccountView, ProviderProfile } from '../preload/contract';
import { startBridge } from '../main/bridge';
import { StandingRules } from '../main/bridge/consent-rules';
import type { BridgeCore } from '../main/bridge/token-source';
import type { KeyValueStore } from '../main/persistence/settings-store';
import { summarize, type TimingSummary } from './stats';

/** The goal from issue 11: ≤ 60 ms wall per plugin run on a cache hit. */
export const KUBECTL_PLUGIN_GOAL_US = 60_000;

/** One timed command. */
export interface KubectlPluginRow extends TimingSummary {
  readonly subject: 'tessera kubectl-credential' | 'node -e 0' | 'load the bundle only' | 'native kubectl-credential';
}

/** The plugin's bench result. */
export interface KubectlPluginBench {
  readonly goalMedianUs: number;
  readonly rows: readonly KubectlPluginRow[];
}

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'cli', 'tessera.cjs');
const BUNDLE = join(ROOT, 'dist', 'cli', 'tessera.cjs');
const SCOPE = 'api://tessera-demo/.default';
const TOKEN = `bench-token-${process.pid}`;

const ACCOUNT: AccountView = {
  id: 'bench-account',
  profileId: 'bench-profile',
  profileName: 'Bench',
  providerKind: 'oidc',
  username: 'alice@contoso.com',
  status: { kind: 'valid', expiresOn: Math.floor(Date.now() / 1000) + 3600 },
  pinned: false,
  storage: 'memory-only',
};
const PROFILE: ProviderProfile = {
  id: 'bench-profile',
  name: 'Bench',
  kind: 'oidc',
  preset: 'custom-oidc',
  clientId: 'bench',
  authority: 'https://127.0.0.1/oidc',
  defaultScopes: [SCOPE],
  signInMethod: 'system-browser',
};

/** An app core whose only account always has its token cached: a hand-out costs nothing in the app. */
function cachedCore(): BridgeCore {
  return {
    getAppInfo: async () => ({ version: 'bench', platform: process.platform, mode: 'browser', demoProviderAvailable: false }),
    listAccounts: async () => [ACCOUNT],
    listProfiles: async () => [PROFILE],
    getStorageStatus: async () => ({ mode: 'memory-only', backend: 'bench' }),
    acquireAccessToken: async () => ({ accessToken: TOKEN, tokenType: 'Bearer', expiresOn: Math.floor(Date.now() / 1000) + 3600, scopes: [SCOPE] }),
    reauthenticate: async () => ACCOUNT,
    subscribe: () => () => undefined,
  };
}

function memoryStore(): KeyValueStore {
  const values = new Map<string, unknown>();
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value), delete: (key) => void values.delete(key) };
}

function runOnce(args: readonly string[], env: NodeJS.ProcessEnv, file = process.execPath): Promise<{ ns: number; code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ ns: Number(process.hrtime.bigint() - start), code: code ?? -1, stdout, stderr }));
  });
}

/** Measures the plugin; `check` throws the bench's correctness error. */
export async function measureKubectlPlugin(quick: boolean, check: (ok: boolean, message: string) => void): Promise<KubectlPluginBench> {
  const runtimeDir = await mkdtemp(join(tmpdir(), 'tessera-bench-run-'));
  const store = memoryStore();
  // The plugin runs without a terminal, as under kubectl: it needs a standing rule for its caller
  // (this bench's Node process, which the command reports as `node`).
  new StandingRules(store).add('node', ACCOUNT.id, ACCOUNT.username, [SCOPE]);
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], XDG_RUNTIME_DIR: runtimeDir, KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}' };
  const bridge = await startBridge({ core: cachedCore(), settingsStore: store, dataDir: runtimeDir, approvals: { uiOpen: () => false, where: 'the bench' }, env: { XDG_RUNTIME_DIR: runtimeDir } });
  try {
    const pluginArgs = ['kubectl-credential', ACCOUNT.username, '--scope', SCOPE];
    const { buildNative } = (await import(join(ROOT, 'cli', 'native', 'build.mjs'))) as { buildNative(root: string): Promise<{ built: boolean; path?: string }> };
    const native = await buildNative(ROOT);
    // The first run may build the bundle; it and a few more are warm-up.
    const warmup = quick ? 2 : 5;
    const calls = quick ? 10 : 40;
    const samples = { plugin: [] as number[], node: [] as number[], load: [] as number[], native: [] as number[] };
    const checkCredential = (run: { code: number; stdout: string; stderr: string }, what: string): void => {
      check(run.code === 0, `${what} exited ${run.code}: ${run.stderr.trim().slice(0, 200)}`);
      const credential = JSON.parse(run.stdout) as { apiVersion?: string; status?: { token?: string; expirationTimestamp?: string } };
      check(credential.apiVersion === 'client.authentication.k8s.io/v1' && credential.status?.token === TOKEN && typeof credential.status.expirationTimestamp === 'string', `${what} printed another ExecCredential than the token handed out`);
    };
    for (let i = 0; i < warmup + calls; i++) {
      const run = await runOnce([BIN, ...pluginArgs], env);
      checkCredential(run, 'tessera kubectl-credential');
      const nativeRun = native.built && native.path ? await runOnce(pluginArgs, env, native.path) : undefined;
      if (nativeRun) checkCredential(nativeRun, 'the native kubectl-credential');
      const floor = await runOnce(['-e', '0'], env);
      check(floor.code === 0, 'node -e 0 failed');
      const load = await runOnce(['-e', `require(${JSON.stringify(BUNDLE)})`], env);
      check(load.code === 0, 'loading the bundle alone failed');
      if (i >= warmup) {
        samples.plugin.push(run.ns);
        samples.node.push(floor.ns);
        samples.load.push(load.ns);
        if (nativeRun) samples.native.push(nativeRun.ns);
      }
    }
    const runs = (warmup + calls) * (native.built ? 2 : 1);
    const handedOut = bridge.service.listActivity().filter((entry) => entry.outcome === 'handed-out' && entry.integration === 'kubectl').length;
    check(handedOut === runs, `the activity log shows ${handedOut} kubectl hand-outs for ${runs} runs`);
    return {
      goalMedianUs: KUBECTL_PLUGIN_GOAL_US,
      rows: [
        { subject: 'tessera kubectl-credential', ...summarize(samples.plugin) },
        { subject: 'node -e 0', ...summarize(samples.node) },
        { subject: 'load the bundle only', ...summarize(samples.load) },
        ...(samples.native.length > 0 ? [{ subject: 'native kubectl-credential' as const, ...summarize(samples.native) }] : []),
      ],
    };
  } finally {
    await bridge.close();
    await rm(runtimeDir, { recursive: true, force: true });
  }
}

/** The report section. */
export function formatKubectlPluginBench(result: KubectlPluginBench, formatUs: (us: number) => string): string {
  const lines = ['kubectl exec credential plugin: wall time of one process on a cache hit (real bridge, in-memory app core)'];
  for (const row of result.rows) {
    const verdict =
      row.subject === 'node -e 0' ? '(the floor: Node start-up alone)'
        : row.subject === 'load the bundle only' ? '(Node start-up + loading dist/cli/tessera.cjs)'
          : `(${row.medianUs <= result.goalMedianUs ? 'meets' : 'misses'} the goal median ≤ ${formatUs(result.goalMedianUs)})`;
    lines.push(`  ${row.subject.padEnd(26)}  runs ${String(row.iterations).padStart(3)}  median ${formatUs(row.medianUs).padStart(9)}  p95 ${formatUs(row.p95Us).padStart(9)}  ${verdict}`);
  }
  const [plugin, floor, load] = result.rows;
  if (plugin && floor) lines.push(`  the command's own cost over Node's start-up (medians): ${formatUs(Math.max(0, plugin.medianUs - floor.medianUs))}`);
  if (plugin && floor && load) {
    lines.push(`    of which loading the code ${formatUs(Math.max(0, load.medianUs - floor.medianUs))}, the rest (caller report, connect, the app's answer, output) ${formatUs(Math.max(0, plugin.medianUs - load.medianUs))}`);
  }
  return lines.join('\n');
}
