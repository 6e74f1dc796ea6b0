/**
 * `npm run bench`: our auth core against @azure/msal-node, as ratios measured in the same run.
 *
 * Both libraries sign one real user in against the real test provider (oidc-provider, plain OIDC
 * issuer), their caches are padded to 1, 1,000 and 10,000 accounts, and cache-hit
 * `acquireTokenSilent` is timed for each. Speed never fails the run; a wrong token or an
 * unexpected request does (exit code 1). `--quick` shortens every loop (a smoke run).
 * `--only=hits,cli,kubectl` (any of the three) runs just those rows and writes nothing: the cache
 * hits at every cache size, the `tessera` command with its peers, the kubectl plugin.
 */
import { readFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { version as msalNodeVersion } from '@azure/msal-node';
import { startTestIdp, type TestIdp } from '../test/support/idp';
import { formatAzureIdentityBench, measureAzureIdentity } from './azure-identity';
import { formatCliTokenBench, measureCliToken } from './cli-token';
import { formatKubectlPluginBench, measureKubectlPlugin } from './kubectl-plugin';
import { timeInterleaved, type LoopLimits, type TimedTask } from './measure';
import {
  formatHitReport,
  formatReport,
  formatUs,
  writeResults,
  type BenchResults,
  type GrowthRatio,
  type LibraryRatio,
  type ListingRow,
  type RefreshRow,
  type SerializationRow,
  type SilentHitRow,
} from './report';
import { ratio, summarize } from './stats';
import {
  BenchCheckError,
  createMsalNodeSubject,
  createTesseraSubject,
  type BenchSubject,
  type LibraryName,
  type SilentOutcome,
} from './subjects';
import { expireAccessTokens, padCache, sectionSizes } from './synthetic-cache';
import { formatUiReport, measureUi } from './ui';

const QUICK = process.argv.includes('--quick');
/** The parts `--only=` may name. */
const PARTS = ['hits', 'cli', 'kubectl'] as const;
type Part = (typeof PARTS)[number];
const ONLY = parseOnly(process.argv);
const ACCOUNT_COUNTS: readonly number[] = [1, 1_000, 10_000];
const HIT_LIMITS: LoopLimits = QUICK
  ? { warmupCalls: 50, warmupMs: 300, maxCalls: 300, minCalls: 20, budgetMs: 800, rounds: 2 }
  : { warmupCalls: 500, warmupMs: 2_000, maxCalls: 5_000, minCalls: 60, budgetMs: 6_000, rounds: 6 };
const REFRESH_WARMUP = 2;
const IDLE_SETTLE_MS = 250;
const REFRESH_CALLS = QUICK ? 4 : 20;
const SERIALIZATION_CALLS = QUICK ? 2 : 7;
const RESULTS_PATH = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const USERNAME = 'alice@contoso.com';
const LISTING_LIMIT = 1_000;
const LISTING_CALLS = QUICK ? 1 : 3;

/** The parts named by `--only=a,b` (undefined: run everything); an unknown name is a usage error. */
function parseOnly(argv: readonly string[]): ReadonlySet<Part> | undefined {
  const arg = argv.find((a) => a.startsWith('--only='));
  if (arg === undefined) return undefined;
  const names = arg.slice('--only='.length).split(',').filter((n) => n !== '');
  const unknown = names.filter((n) => !(PARTS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    console.error(`bench: --only takes a comma-separated list of ${PARTS.join(', ')}; got "${arg.slice('--only='.length)}".`);
    process.exit(2);
  }
  return new Set(names as Part[]);
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BenchCheckError(message);
}

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function byLibrary<T extends { library: LibraryName }>(rows: readonly T[], library: LibraryName): T {
  const row = rows.find((candidate) => candidate.library === library);
  if (!row) throw new Error(`no result for ${library}`);
  return row;
}

/** Replaces the subject's cache with `json` (untimed). */
function loadCache(subject: BenchSubject, json: string): void {
  subject.clearCache();
  subject.deserializeCache(json);
}

/**
 * Whether the padded cache is checked by listing its accounts.
 *
 * msal-node's `getAllAccounts` grows quadratically (2–5 s at 1,000 accounts, 90 s at 3,000
 * on 2 cores), so it is listed only up to `LISTING_LIMIT`; ours is listed at every size.
 */
function listable(subject: BenchSubject, accounts: number): boolean {
  return subject.library === 'tessera' || accounts <= LISTING_LIMIT;
}

const FULL_LOOKUP = 'tessera (full lookup)';

/**
 * The cache-hit loop at one cache size, for both libraries, interleaved; plus ours with the cache
 * changed before every call (untimed), which times the full lookup behind the memo.
 */
async function measureHits(idp: TestIdp, subjects: readonly BenchSubject[], templates: ReadonlyMap<LibraryName, string>, accounts: number): Promise<{ rows: SilentHitRow[]; fullLookup: SilentHitRow[] }> {
  for (const subject of subjects) {
    loadCache(subject, padCache(templates.get(subject.library) ?? '', subject.account, accounts - 1));
    if (!listable(subject, accounts)) continue;
    const listed = await subject.accountCount();
    check(listed === accounts, `${subject.library}: lists ${listed} accounts from a cache padded to ${accounts}`);
  }
  const hitCheck = (subject: BenchSubject) => (outcome: SilentOutcome): void => {
    check(outcome.fromCache, `${subject.library}: a silent call at ${accounts} accounts did not come from the cache`);
    check(subject.isSignInToken(outcome.accessToken), `${subject.library}: a cache hit at ${accounts} accounts returned a different access token`);
  };
  const tasks: TimedTask<SilentOutcome>[] = subjects.map((subject) => ({ name: subject.library, call: () => subject.silent(), check: hitCheck(subject) }));
  for (const subject of subjects) {
    const forget = subject.forgetHits?.bind(subject);
    if (forget) tasks.push({ name: FULL_LOOKUP, prepare: forget, call: () => subject.silent(), check: hitCheck(subject) });
  }
  idp.resetRequestCount();
  const samples = await timeInterleaved(tasks, HIT_LIMITS);
  const requests = idp.requestCount();
  check(requests === 0, `cache hits at ${accounts} accounts made ${requests} requests to the provider`);
  const rows = subjects.map((subject) => ({
    library: subject.library,
    accounts,
    idpRequests: requests,
    ...summarize(samples.get(subject.library) ?? []),
  }));
  const full = samples.get(FULL_LOOKUP);
  const fullLookup = full ? [{ library: 'tessera' as const, accounts, idpRequests: requests, ...summarize(full) }] : [];
  return { rows, fullLookup };
}

/** The cache-hit rows at every size in `ACCOUNT_COUNTS`. */
async function measureAllHits(idp: TestIdp, subjects: readonly BenchSubject[], templates: ReadonlyMap<LibraryName, string>): Promise<{ silentHit: SilentHitRow[]; silentHitFullLookup: SilentHitRow[] }> {
  const silentHit: SilentHitRow[] = [];
  const silentHitFullLookup: SilentHitRow[] = [];
  for (const accounts of ACCOUNT_COUNTS) {
    console.log(`bench: cache hits with ${accounts.toLocaleString('en-US')} account(s)…`);
    const { rows, fullLookup } = await measureHits(idp, subjects, templates, accounts);
    silentHit.push(...rows);
    silentHitFullLookup.push(...fullLookup);
  }
  return { silentHit, silentHitFullLookup };
}

/** Silent refresh with one account: expired access token, so exactly one token request. */
async function measureRefresh(idp: TestIdp, subjects: readonly BenchSubject[], templates: ReadonlyMap<LibraryName, string>): Promise<RefreshRow[]> {
  const tokenPath = `${new URL(idp.oidcIssuer).pathname}/token`;
  const samples = new Map<LibraryName, number[]>(subjects.map((subject) => [subject.library, []]));
  for (const subject of subjects) loadCache(subject, templates.get(subject.library) ?? '');
  // The hit loops never yield to the event loop, so the provider's and the clients' keep-alive
  // timers are all overdue: let them fire and the idle sockets close before the next request,
  // or it may go out on a socket the (in-process) server is closing at that moment.
  await sleep(IDLE_SETTLE_MS);
  for (let i = 0; i < REFRESH_WARMUP + REFRESH_CALLS; i++) {
    const order = i % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      loadCache(subject, expireAccessTokens(subject.exportCache(), epochSeconds()));
      idp.resetRequestCount();
      const start = process.hrtime.bigint();
      const refreshed = await subject.silent();
      const elapsed = Number(process.hrtime.bigint() - start);
      check(!refreshed.fromCache, `${subject.library}: an expired access token was served from the cache`);
      const requests = idp.requestCount();
      check(requests === 1 && idp.requestCount(tokenPath) === 1, `${subject.library}: a refresh made ${requests} requests (expected 1 token request)`);
      // The refreshed token must now be the cached one: a hit, no request.
      idp.resetRequestCount();
      const hit = await subject.silent();
      check(hit.fromCache && hit.accessToken === refreshed.accessToken, `${subject.library}: the refreshed token was not cached`);
      check(idp.requestCount() === 0, `${subject.library}: a hit after a refresh made a request`);
      if (i >= REFRESH_WARMUP) samples.get(subject.library)?.push(elapsed);
    }
  }
  return subjects.map((subject) => ({ library: subject.library, accounts: 1, requestsPerCall: 1, ...summarize(samples.get(subject.library) ?? []) }));
}

/** `serialize()` and `deserialize()` of the largest padded cache, interleaved by library. */
async function measureSerialization(subjects: readonly BenchSubject[], templates: ReadonlyMap<LibraryName, string>, accounts: number): Promise<SerializationRow[]> {
  const rows: SerializationRow[] = [];
  const json = new Map<LibraryName, string>();
  for (const subject of subjects) {
    loadCache(subject, padCache(templates.get(subject.library) ?? '', subject.account, accounts - 1));
    json.set(subject.library, subject.exportCache());
  }
  const serializeNs = new Map<LibraryName, number[]>(subjects.map((subject) => [subject.library, []]));
  const deserializeNs = new Map<LibraryName, number[]>(subjects.map((subject) => [subject.library, []]));
  for (let i = 0; i <= SERIALIZATION_CALLS; i++) {
    const order = i % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      const input = json.get(subject.library) ?? '';
      subject.clearCache();
      let start = process.hrtime.bigint();
      subject.deserializeCache(input);
      const deserializeTime = Number(process.hrtime.bigint() - start);
      start = process.hrtime.bigint();
      const output = subject.exportCache();
      const serializeTime = Number(process.hrtime.bigint() - start);
      const sizes = sectionSizes(output);
      check(sizes['Account'] === accounts && sizes['AccessToken'] === accounts, `${subject.library}: serialize after deserialize lost entries`);
      // The first round is a warm-up.
      if (i > 0) {
        deserializeNs.get(subject.library)?.push(deserializeTime);
        serializeNs.get(subject.library)?.push(serializeTime);
      }
    }
  }
  for (const subject of subjects) {
    if (listable(subject, accounts)) {
      const listed = await subject.accountCount();
      check(listed === accounts, `${subject.library}: lists ${listed} accounts after the serialization round trips`);
    }
    const cacheBytes = Buffer.byteLength(json.get(subject.library) ?? '');
    rows.push({ library: subject.library, operation: 'serialize', accounts, cacheBytes, ...summarize(serializeNs.get(subject.library) ?? []) });
    rows.push({ library: subject.library, operation: 'deserialize', accounts, cacheBytes, ...summarize(deserializeNs.get(subject.library) ?? []) });
  }
  return rows;
}

/** Listing every account (`getAccounts()` / `getAllAccounts()`) at `LISTING_LIMIT` accounts. */
async function measureListing(subjects: readonly BenchSubject[], templates: ReadonlyMap<LibraryName, string>, accounts: number): Promise<ListingRow[]> {
  const samples = new Map<LibraryName, number[]>(subjects.map((subject) => [subject.library, []]));
  for (const subject of subjects) loadCache(subject, padCache(templates.get(subject.library) ?? '', subject.account, accounts - 1));
  // The first round is a warm-up.
  for (let i = 0; i <= LISTING_CALLS; i++) {
    const order = i % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      const start = process.hrtime.bigint();
      const listed = await subject.accountCount();
      const elapsed = Number(process.hrtime.bigint() - start);
      check(listed === accounts, `${subject.library}: lists ${listed} accounts from a cache padded to ${accounts}`);
      if (i > 0) samples.get(subject.library)?.push(elapsed);
    }
  }
  return subjects.map((subject) => ({ library: subject.library, accounts, ...summarize(samples.get(subject.library) ?? []) }));
}

async function tesseraVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

function machine(): Pick<BenchResults, 'date' | 'node' | 'platform' | 'cpu' | 'cores'> {
  return { date: new Date().toISOString(), node: process.version, platform: `${platform()} ${release()}`, cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length };
}

/** msal-node / ours per cache size, and each library's growth from the smallest to the largest cache. */
function hitRatios(silentHit: readonly SilentHitRow[], subjects: readonly BenchSubject[]): { silentHitRatios: LibraryRatio[]; growth: GrowthRatio[] } {
  const [ours, theirs] = subjects as [BenchSubject, BenchSubject];
  const silentHitRatios: LibraryRatio[] = ACCOUNT_COUNTS.map((accounts) => {
    const rows = silentHit.filter((row) => row.accounts === accounts);
    const a = byLibrary(rows, ours.library);
    const b = byLibrary(rows, theirs.library);
    return { accounts, median: ratio(b.medianUs, a.medianUs), p95: ratio(b.p95Us, a.p95Us) };
  });
  const smallest = Math.min(...ACCOUNT_COUNTS);
  const largest = Math.max(...ACCOUNT_COUNTS);
  const growth: GrowthRatio[] = subjects.map((subject) => {
    const rows = silentHit.filter((row) => row.library === subject.library);
    const from = rows.find((row) => row.accounts === smallest);
    const to = rows.find((row) => row.accounts === largest);
    return {
      library: subject.library,
      fromAccounts: smallest,
      toAccounts: largest,
      median: from && to ? ratio(to.medianUs, from.medianUs) : null,
      p95: from && to ? ratio(to.p95Us, from.p95Us) : null,
    };
  });
  return { silentHitRatios, growth };
}

/** `--only=…`: the named parts, printed, nothing written. */
async function runParts(only: ReadonlySet<Part>): Promise<void> {
  console.log(`bench: starting the test provider (only ${[...only].join(', ')}${QUICK ? ', quick' : ''})…`);
  const idp = await startTestIdp();
  const subjects: BenchSubject[] = [];
  try {
    if (only.has('hits')) {
      const user = idp.users.find((candidate) => candidate.username === USERNAME);
      if (!user) throw new Error(`test provider has no ${USERNAME}`);
      subjects.push(await createTesseraSubject(idp, user), await createMsalNodeSubject(idp, user));
      const templates = new Map(subjects.map((subject) => [subject.library, subject.exportCache()] as const));
      const { silentHit, silentHitFullLookup } = await measureAllHits(idp, subjects, templates);
      const libraries = { tessera: await tesseraVersion(), '@azure/msal-node': msalNodeVersion };
      console.log(`\n${formatHitReport({ ...machine(), libraries, silentHit, silentHitFullLookup, ...hitRatios(silentHit, subjects) })}`);
    }
    if (only.has('cli')) {
      console.log('bench: the tessera command (tessera token, the socket round trip, peers)…');
      console.log(`\n${formatCliTokenBench(await measureCliToken(idp, QUICK, check), formatUs)}`);
    }
    if (only.has('kubectl')) {
      console.log('bench: tessera kubectl-credential as a process…');
      console.log(`\n${formatKubectlPluginBench(await measureKubectlPlugin(QUICK, check), formatUs)}`);
    }
    console.log('\n(partial run: results not written)');
  } finally {
    for (const subject of subjects) await subject.close();
    await idp.stop();
  }
}

async function main(): Promise<void> {
  if (ONLY) return runParts(ONLY);
  const started = performance.now();
  console.log(`bench: starting the test provider${QUICK ? ' (quick run)' : ''}…`);
  const idp = await startTestIdp();
  const subjects: BenchSubject[] = [];
  try {
    const user = idp.users.find((candidate) => candidate.username === USERNAME);
    if (!user) throw new Error(`test provider has no ${USERNAME}`);
    subjects.push(await createTesseraSubject(idp, user), await createMsalNodeSubject(idp, user));
    const [ours, theirs] = subjects as [BenchSubject, BenchSubject];
    const templates = new Map(subjects.map((subject) => [subject.library, subject.exportCache()] as const));

    const { silentHit, silentHitFullLookup } = await measureAllHits(idp, subjects, templates);
    const largest = Math.max(...ACCOUNT_COUNTS);
    console.log(`bench: serialize/deserialize with ${largest.toLocaleString('en-US')} accounts…`);
    const serialization = await measureSerialization(subjects, templates, largest);
    console.log(`bench: listing ${LISTING_LIMIT.toLocaleString('en-US')} accounts…`);
    const listing = await measureListing(subjects, templates, LISTING_LIMIT);
    console.log('bench: silent refresh with 1 account…');
    const refresh = await measureRefresh(idp, subjects, templates);
    console.log('bench: tessera exec --azure-identity endpoint…');
    const azureIdentity = await measureAzureIdentity(QUICK, check);
    console.log('bench: the account list in Chromium (first render, filter keystrokes)…');
    const ui = await measureUi({ quick: QUICK });
    console.log('bench: the tessera command (tessera token, the socket round trip, peers)…');
    const cliToken = await measureCliToken(idp, QUICK, check);
    console.log('bench: tessera kubectl-credential as a process…');
    const kubectlPlugin = await measureKubectlPlugin(QUICK, check);

    const { silentHitRatios, growth } = hitRatios(silentHit, subjects);
    const serializationRatio = (operation: 'serialize' | 'deserialize'): number | null => {
      const rows = serialization.filter((row) => row.operation === operation);
      return ratio(byLibrary(rows, theirs.library).medianUs, byLibrary(rows, ours.library).medianUs);
    };
    const results: BenchResults = {
      ...machine(),
      libraries: { tessera: await tesseraVersion(), '@azure/msal-node': msalNodeVersion },
      accountCounts: ACCOUNT_COUNTS,
      silentHit,
      silentHitFullLookup,
      silentHitRatios,
      growth,
      refresh,
      refreshRatio: {
        accounts: 1,
        median: ratio(byLibrary(refresh, theirs.library).medianUs, byLibrary(refresh, ours.library).medianUs),
        p95: ratio(byLibrary(refresh, theirs.library).p95Us, byLibrary(refresh, ours.library).p95Us),
      },
      listing,
      listingRatio: ratio(byLibrary(listing, theirs.library).medianUs, byLibrary(listing, ours.library).medianUs),
      serialization,
      serializationRatios: { serialize: serializationRatio('serialize'), deserialize: serializationRatio('deserialize') },
      azureIdentity,
      ui,
      cliToken,
      kubectlPlugin,
      durationSeconds: (performance.now() - started) / 1000,
    };
    console.log('');
    console.log(formatReport(results));
    console.log('');
    console.log(formatAzureIdentityBench(azureIdentity, formatUs));
    console.log('');
    console.log(formatUiReport(ui));
    console.log(formatCliTokenBench(cliToken, formatUs));
    console.log('');
    console.log(formatKubectlPluginBench(kubectlPlugin, formatUs));
    if (QUICK) {
      console.log('\n(quick run: results not written)');
    } else {
      await writeResults(RESULTS_PATH, results);
      console.log(`\nResults written to ${RESULTS_PATH}`);
    }
  } finally {
    for (const subject of subjects) await subject.close();
    await idp.stop();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  const failedCheck = error instanceof BenchCheckError;
  console.error(`bench: ${failedCheck ? 'correctness check failed' : 'failed'}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
