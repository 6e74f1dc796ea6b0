/**
 * Row "network faults": the provider's discovery, key set and token endpoints go silent, reset the
 * connection, trickle a byte every 2 s, or answer 5xx / 429. Each must end in a typed error within
 * the transport's deadline (1 s here; 30 s by default), crash nothing, leak nothing, and a failed
 * refresh must keep the account's refresh token (nothing lost).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startHostileProvider, type HostileProvider, type ScriptedAnswer } from '../support/hostile-provider';
import { hardeningCase } from './harness';
import { AuthProbe, canaries, CLIENT_ID, tokenAnswer } from './support/auth-probe';

let op: HostileProvider;
let probe: AuthProbe;

beforeAll(async () => {
  op = await startHostileProvider();
  probe = new AuthProbe(op, { timeoutMs: 1_000 });
});

afterAll(async () => {
  await probe?.close();
  await op?.stop();
});

type Fault = readonly [name: string, answer: ScriptedAnswer, codes: readonly string[]];

const TRANSPORT_FAULTS: readonly Fault[] = [
  ['silent (never answers)', { fault: 'silent' }, ['timeout']],
  ['connection reset before any byte', { fault: 'reset' }, ['network_error']],
  ['connection reset halfway through the body', { fault: 'reset-mid-body', body: { error: 'x'.repeat(4_000) } }, ['network_error']],
  ['trickle: a byte every 2 s (bug: never failed)', { fault: 'trickle', trickleMs: 2_000 }, ['timeout']],
];

const STATUS_FAULTS: readonly Fault[] = [
  ['500 with JSON', { status: 500, body: { error: 'server_error' } }, ['http_error']],
  ['502 with an HTML page', { status: 502, body: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } }, ['http_error']],
  ['503 with Retry-After and no body', { status: 503, body: '', headers: { 'retry-after': '120' } }, ['http_error']],
  ['504 empty', { status: 504, body: '' }, ['http_error']],
  ['429 with Retry-After and an OAuth error', { status: 429, body: { error: 'temporarily_unavailable', error_description: 'slow down' }, headers: { 'retry-after': '30' } }, ['temporarily_unavailable']],
  ['429 without a body', { status: 429, body: '' }, ['http_error']],
];

for (const [name, answer, codes] of [...TRANSPORT_FAULTS, ...STATUS_FAULTS]) {
  hardeningCase('network faults', `token endpoint at sign-in: ${name}`, async (t) => {
    const secrets = canaries();
    const outcome = await probe.signIn(t, () => answer, [secrets.accessToken, secrets.refreshToken]);
    expect(codes).toContain(outcome.code);
    expect(outcome.leaks).toBe(0);
  });

  hardeningCase('network faults', `token endpoint at refresh: ${name}`, async (t) => {
    const outcome = await probe.refresh(t, () => answer, []);
    expect(codes).toContain(outcome.code);
    expect(outcome.rtKept).toBe(true);
    expect(outcome.leaks).toBe(0);
  });
}

// 429 on discovery is a 4xx: the auth core reports the authority as not discoverable.
const DISCOVERY_CODES: Readonly<Record<string, readonly string[]>> = { '429 with Retry-After and an OAuth error': ['authority_discovery_failed'], '429 without a body': ['authority_discovery_failed'] };

for (const [index, [name, answer, codes]] of [...TRANSPORT_FAULTS, ...STATUS_FAULTS].entries()) {
  hardeningCase('network faults', `discovery: ${name}`, async (t) => {
    op.queue('discovery', answer);
    const code = await t.mustRefuse(() => probe.app(undefined, op.issuerNamed(`network-discovery-${index}`)).authority());
    expect(DISCOVERY_CODES[name] ?? codes).toContain(code);
  });
}

for (const [name, answer, codes] of [...TRANSPORT_FAULTS, ...STATUS_FAULTS]) {
  hardeningCase('network faults', `key set: ${name}`, async (t) => {
    op.always('jwks', answer);
    try {
      const secrets = canaries();
      const outcome = await probe.signIn(t, async (nonce) => ({ body: tokenAnswer(secrets, await op.idToken(CLIENT_ID, { nonce })) }), [secrets.accessToken, secrets.refreshToken]);
      // Transport faults keep their own code; a key set answered with a failure status is not a
      // key set, so the ID token cannot be verified.
      expect(answer.fault ? codes : ['id_token_invalid']).toContain(outcome.code);
      expect(outcome.leaks).toBe(0);
    } finally {
      op.reset();
    }
  });
}
