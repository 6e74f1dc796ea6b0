/**
 * Row "malformed responses": over a thousand generated discovery documents, key sets and token
 * answers (test/hardening/support/malformed-answers.ts), served by a real https provider on
 * loopback to the auth core's real transport. Every one must be refused with a typed code, crash
 * nothing, write nothing to the token cache and leak none of the tokens it carried.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { exportJWK, generateKeyPair } from 'jose';
import { startHostileProvider, type HostileProvider } from '../support/hostile-provider';
import { hardeningCase, type CaseRecorder } from './harness';
import { AuthProbe, canaries, CLIENT_ID, tokenAnswer } from './support/auth-probe';
import { malformedDiscovery, malformedJwks, malformedTokenAnswers, seeded, type MalformedCase } from './support/malformed-answers';

let op: HostileProvider;
let probe: AuthProbe;

beforeAll(async () => {
  op = await startHostileProvider();
  probe = new AuthProbe(op);
});

afterAll(async () => {
  await probe?.close();
  await op?.stop();
});

/** Runs `cases` one after the other; returns the names of those not refused or leaking. */
async function runAll(t: CaseRecorder, cases: readonly MalformedCase[], one: (c: MalformedCase, index: number) => Promise<{ code: string | undefined; leaks: number }>): Promise<string[]> {
  const failures: string[] = [];
  for (const [index, c] of cases.entries()) {
    const before = { ...t.tally };
    const outcome = await one(c, index);
    if (outcome.code === undefined || outcome.leaks > 0 || t.tally.crashed > before.crashed) failures.push(`${c.name} → ${outcome.code ?? 'accepted'}${outcome.leaks ? `, ${outcome.leaks} leak(s)` : ''}`);
  }
  return failures;
}

hardeningCase('malformed responses', 'generated discovery documents are refused before any sign-in', async (t) => {
  const cases = malformedDiscovery(op.discoveryOf('template'), seeded(1));
  expect(cases.length).toBeGreaterThan(200);
  const failures = await runAll(t, cases, async (c, index) => {
    const name = `malformed-discovery-${index}`;
    // The generated document was made for the issuer "template"; give it this case's own issuer.
    const answer = c.answer({ nonce: '', idToken: '' });
    op.queue('discovery', { ...answer, body: rename(answer.body, op.issuerNamed('template'), op.issuerNamed(name)) });
    const app = probe.app(undefined, op.issuerNamed(name));
    return { code: await t.mustRefuse(() => app.authority()), leaks: 0 };
  });
  expect(failures).toEqual([]);
}, { timeout: 120_000 });

hardeningCase('malformed responses', 'generated key sets never let an ID token through', async (t) => {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  const stranger = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' };
  const cases = malformedJwks(op.jwks.keys[0]!, stranger, seeded(2));
  expect(cases.length).toBeGreaterThan(200);
  const failures = await runAll(t, cases, async (c) => {
    op.always('jwks', c.answer({ nonce: '', idToken: '' }));
    try {
      const secrets = canaries();
      return await probe.signIn(t, async (nonce) => ({ body: tokenAnswer(secrets, await op.idToken(CLIENT_ID, { nonce })) }), [secrets.accessToken, secrets.refreshToken]);
    } finally {
      op.reset();
    }
  });
  expect(failures).toEqual([]);
}, { timeout: 120_000 });

hardeningCase('malformed responses', 'generated token answers are refused and write nothing', async (t) => {
  const cases = malformedTokenAnswers(seeded(3));
  expect(cases.length).toBeGreaterThan(500);
  const failures = await runAll(t, cases, async (c) => {
    let carried: string[] = [];
    return probe.signIn(
      t,
      async (nonce) => {
        const answer = c.answer({ nonce, idToken: await op.idToken(CLIENT_ID, { nonce }) });
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
        carried = [...text.matchAll(/(?:at|rt)-canary-\d+/g)].map((m) => m[0]);
        return answer;
      },
      () => carried,
    );
  });
  expect(failures).toEqual([]);
}, { timeout: 180_000 });

/** `body` with every string `from` replaced by `to` (deeply), for generated documents. */
function rename(body: unknown, from: string, to: string): unknown {
  if (typeof body === 'string') return body.split(from).join(to);
  if (Array.isArray(body)) return body.map((item) => rename(item, from, to));
  if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, rename(v, from, to)]));
  return body;
}
