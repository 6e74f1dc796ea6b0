/**
 * Debian's oidc-agent as the bench's peer: an agent of its own (temporary config folder and
 * socket), one account generated non-interactively against the test provider with the password
 * flow and the provider's HTTP-Basic client, so `oidc-token <account>` answers from its cache as
 * `tessera token` does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASIC_AUTH_CLIENT_ID, type TestIdp } from '../test/support/idp';

/** A running agent with one loaded account. */
export interface OidcAgentPeer {
  /** The account's short name, for `oidc-token`. */
  readonly account: string;
  /** OIDC_SOCK and the config folder, for `oidc-token`. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Starts the agent; rejects with one line when oidc-agent is not installed or cannot be set up. */
export async function startOidcAgentPeer(idp: TestIdp): Promise<OidcAgentPeer> {
  const probe = await run('oidc-agent', ['--version'], process.env, 10_000);
  if (probe.code !== 0) throw new Error('oidc-agent is not installed: apt-get install oidc-agent');
  const client = idp.clients.find((candidate) => candidate.clientId === BASIC_AUTH_CLIENT_ID);
  const user = idp.users.find((candidate) => candidate.username === 'alice@contoso.com');
  if (!client?.clientSecret || !user) throw new Error('the test provider has no HTTP-Basic client');
  const home = await mkdtemp(join(tmpdir(), 'tessera-bench-oidc-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, OIDC_CONFIG_DIR: join(home, 'oidc-agent'), OIDC_ENCRYPTION_PW: 'tessera-bench', TMPDIR: home };
  // The agent daemonizes after printing its socket and pid; `stop` ends it by that pid.
  let pid: number | undefined;
  const stop = async (): Promise<void> => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await rm(home, { recursive: true, force: true });
  };
  try {
    const launched = await run('oidc-agent', ['--json', `--socket-path=${join(home, 'agent', 'agent.sock')}`], env, 10_000);
    if (launched.code !== 0) throw new Error(`oidc-agent did not start (${launched.code})`);
    const started = JSON.parse(launched.stdout) as { socket: string; dpid: string };
    pid = Number(started.dpid);
    env.OIDC_SOCK = started.socket;
    const account = 'tessera-bench';
    const generated = await run(
      'oidc-gen',
      [
        account,
        `--iss=${idp.oidcIssuer}`,
        `--client-id=${client.clientId}`,
        `--client-secret=${client.clientSecret}`,
        '--flow=password',
        `--op-username=${user.username}`,
        `--op-password=${user.password}`,
        '--scope=openid offline_access profile',
        `--cp=${idp.caPath}`,
        '--redirect-uri=http://localhost:4242/',
        '--pw-env',
        '--confirm-default',
        '--prompt=none',
      ],
      env,
    );
    if (generated.code !== 0) throw new Error(`oidc-gen failed (${generated.code}): ${(generated.stderr || generated.stdout).split('\n').filter(Boolean).slice(-1)[0] ?? ''}`);
    return { account, env: { PATH: env.PATH, HOME: home, OIDC_SOCK: started.socket }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
