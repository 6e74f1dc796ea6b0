/**
 * Bench rows for `tessera exec --azure-identity`: the managed-identity endpoint's round trip.
 *
 * The endpoint runs with an in-memory token source (tokens handed out at once), so the figure is
 * the endpoint's own cost — HTTP parsing, the secret, Host and browser checks, JSON — as an SDK in
 * the child sees it: one GET from the same machine, over a kept-alive connection (as SDK HTTP
 * clients keep them) and over a new connection per request. Goal: p50 ≤ 2 ms. Every answer is
 * checked: a 200 carrying the token just handed out, or the run fails.
 */
import { Agent, request } from 'node:http';
import { startAzureIdentityEndpoint, type AzureIdentityEndpoint } from '../cli/integrations/azure-identity-server';
import { createTokenSource, type TokenSource } from '../test/support/token-issuer';
import { summarize, type TimingSummary } from './stats';

/** One connection mode's figures. */
export interface AzureIdentityRow extends TimingSummary {
  readonly connection: 'keep-alive' | 'new';
}

/** The endpoint's bench result. */
export interface AzureIdentityBench {
  readonly goalP50Us: number;
  readonly rows: readonly AzureIdentityRow[];
}

/** The goal from issue 11: endpoint p50 ≤ 2 ms. */
export const AZURE_IDENTITY_GOAL_US = 2_000;

function get(endpoint: AzureIdentityEndpoint, agent: Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: endpoint.port,
        path: '/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net',
        headers: { 'X-IDENTITY-HEADER': endpoint.env.IDENTITY_HEADER },
        agent,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function timeCalls(endpoint: AzureIdentityEndpoint, source: TokenSource, agent: Agent | false, warmup: number, calls: number, check: (ok: boolean, message: string) => void): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    const start = process.hrtime.bigint();
    const answer = await get(endpoint, agent);
    const elapsed = Number(process.hrtime.bigint() - start);
    check(answer.status === 200, `the managed-identity endpoint answered ${answer.status}`);
    const token = (JSON.parse(answer.body) as { access_token?: string }).access_token;
    check(token !== undefined && token === source.issued.at(-1)?.accessToken, 'the managed-identity endpoint answered another token than the one handed out');
    if (i >= warmup) samples.push(elapsed);
  }
  return samples;
}

/** Measures the endpoint; `check` throws the bench's correctness error. */
export async function measureAzureIdentity(quick: boolean, check: (ok: boolean, message: string) => void): Promise<AzureIdentityBench> {
  const source = createTokenSource();
  const endpoint = await startAzureIdentityEndpoint({ getToken: source.getToken });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const calls = quick ? 200 : 2_000;
    const warmup = quick ? 50 : 300;
    const keepAlive = await timeCalls(endpoint, source, agent, warmup, calls, check);
    const fresh = await timeCalls(endpoint, source, false, warmup, quick ? 100 : 1_000, check);
    return {
      goalP50Us: AZURE_IDENTITY_GOAL_US,
      rows: [
        { connection: 'keep-alive', ...summarize(keepAlive) },
        { connection: 'new', ...summarize(fresh) },
      ],
    };
  } finally {
    agent.destroy();
    await endpoint.close();
  }
}

/** The report section. */
export function formatAzureIdentityBench(result: AzureIdentityBench, formatUs: (us: number) => string): string {
  const lines = ['tessera exec --azure-identity: managed-identity endpoint round trip (GET → token JSON; in-memory token source)'];
  for (const row of result.rows) {
    const verdict = row.medianUs <= result.goalP50Us ? 'meets' : 'misses';
    lines.push(`  ${row.connection.padEnd(10)}  calls ${String(row.iterations).padStart(5)}  p50 ${formatUs(row.medianUs).padStart(9)}  p95 ${formatUs(row.p95Us).padStart(9)}  (${verdict} the goal p50 ≤ ${formatUs(result.goalP50Us)})`);
  }
  return lines.join('\n');
}
