/**
 * A focused loop of our cache hit, to profile: `node --cpu-prof --import tsx bench/hit-profile.ts`.
 *
 * Signs the bench's user in against the test provider (as `npm run bench` does), then calls
 * `acquireTokenSilent` for that account `HIT_PROFILE_CALLS` times (default 300,000) and prints the
 * mean per call. Only the loop matters in the profile; the sign-in is a few percent of it. Not a
 * measurement to quote: figures come from `npm run bench` (against msal-node in the same run).
 * `HIT_PROFILE_FULL=1` changes the cache before every call, to profile the full lookup behind the
 * memo of repeated hits.
 */
import { startTestIdp } from '../test/support/idp';
import { BenchCheckError, createTesseraSubject } from './subjects';

const CALLS = Number(process.env['HIT_PROFILE_CALLS'] ?? 300_000);
const FULL = process.env['HIT_PROFILE_FULL'] === '1';

const idp = await startTestIdp();
try {
  const user = idp.users.find((candidate) => candidate.username === 'alice@contoso.com');
  if (!user) throw new Error('test provider has no alice@contoso.com');
  const subject = await createTesseraSubject(idp, user);
  idp.resetRequestCount();
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    if (FULL) subject.forgetHits?.();
    const hit = await subject.silent();
    if (!hit.fromCache) throw new BenchCheckError('a cache hit did not come from the cache');
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (idp.requestCount() !== 0) throw new BenchCheckError('cache hits made requests to the provider');
  console.log(`${CALLS} hits, ${(ns / CALLS / 1000).toFixed(2)} µs per call (loop mean, including the bench wrapper)`);
  await subject.close();
} finally {
  await idp.stop();
}
