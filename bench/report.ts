/**
 * The bench's results: their JSON shape, the printed tables and the ratio lines.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LibraryName } from './subjects';
import type { TimingSummary } from './stats';
import type { AzureIdentityBench } from './azure-identity';
import type { UiResults } from './ui';
import type { CliTokenBench } from './cli-token';
import type { KubectlPluginBench } from './kubectl-plugin';

/** One library at one cache size. */
export interface SilentHitRow extends TimingSummary {
  readonly library: LibraryName;
  readonly accounts: number;
  /** Requests the provider received during warm-up and timed loop (checked to be 0). */
  readonly idpRequests: number;
}

/** msal-node time divided by ours (> 1: ours is faster). */
export interface LibraryRatio {
  readonly accounts: number;
  readonly median: number | null;
  readonly p95: number | null;
}

/** Time at the largest cache divided by time with one account, per library (1 = flat). */
export interface GrowthRatio {
  readonly library: LibraryName;
  readonly fromAccounts: number;
  readonly toAccounts: number;
  readonly median: number | null;
  readonly p95: number | null;
}

/** A silent refresh (expired access token → one token request). */
export interface RefreshRow extends TimingSummary {
  readonly library: LibraryName;
  readonly accounts: number;
  /** Requests the provider received per refresh (checked to be exactly 1). */
  readonly requestsPerCall: number;
}

/** Listing every account of a padded cache. */
export interface ListingRow extends TimingSummary {
  readonly library: LibraryName;
  readonly accounts: number;
}

/** `serialize()` or `deserialize()` of the largest cache. */
export interface SerializationRow extends TimingSummary {
  readonly library: LibraryName;
  readonly operation: 'serialize' | 'deserialize';
  readonly accounts: number;
  readonly cacheBytes: number;
}

/** Everything `bench/results/latest.json` holds. */
export interface BenchResults {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  readonly libraries: Readonly<Record<LibraryName, string>>;
  readonly accountCounts: readonly number[];
  readonly silentHit: readonly SilentHitRow[];
  /**
   * Ours when every call follows a cache change, so the memo of repeated hits cannot answer: the
   * full lookup. Absent in results written before the memo existed.
   */
  readonly silentHitFullLookup?: readonly SilentHitRow[];
  readonly silentHitRatios: readonly LibraryRatio[];
  readonly growth: readonly GrowthRatio[];
  readonly refresh: readonly RefreshRow[];
  readonly refreshRatio: LibraryRatio;
  readonly listing: readonly ListingRow[];
  /** msal-node / ours, medians. */
  readonly listingRatio: number | null;
  readonly serialization: readonly SerializationRow[];
  readonly serializationRatios: Readonly<Record<'serialize' | 'deserialize', number | null>>;
  /** `tessera exec --azure-identity`: the managed-identity endpoint's round trip. */
  readonly azureIdentity?: AzureIdentityBench;
  /** The account list in Chromium (bench/ui.ts); absent in results written before it existed. */
  readonly ui?: UiResults;
  /** The `tessera` command: `tessera token` wall time, the socket round trip, peers. */
  readonly cliToken?: CliTokenBench;
  /** `tessera kubectl-credential`: one plugin process's wall time on a cache hit. */
  readonly kubectlPlugin?: KubectlPluginBench;
  readonly durationSeconds: number;
}

/** A duration in microseconds, printed in µs, ms or s, whichever reads best. */
export function formatUs(us: number): string {
  if (us < 10) return `${us.toFixed(2)} µs`;
  if (us < 1000) return `${us.toFixed(1)} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(2)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

/** A ratio as `12.3×`, or `n/a`. */
export function formatRatio(value: number | null): string {
  if (value === null) return 'n/a';
  return value >= 100 ? `${value.toFixed(0)}×` : `${value.toFixed(value >= 10 ? 1 : 2)}×`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The cache-hit rows: what `--only=hits` prints, and the head of the full report. */
export type HitResults = Pick<BenchResults, 'date' | 'node' | 'platform' | 'cpu' | 'cores' | 'libraries' | 'silentHit' | 'silentHitFullLookup' | 'silentHitRatios' | 'growth'>;

/** The cache-hit tables (per-call times, ratios, growth with cache size). */
export function formatHitReport(results: HitResults): string {
  const out: string[] = [];
  out.push(`tessera vs @azure/msal-node ${results.libraries['@azure/msal-node']} — ${results.date}`);
  out.push(`Node ${results.node} on ${results.platform}, ${results.cpu} (${results.cores} cores)`);
  out.push('');
  out.push('acquireTokenSilent, cache hit (per call; the provider saw 0 requests)');
  out.push(table(
    ['accounts', 'library', 'calls', 'median', 'p95', 'mean'],
    [...results.silentHit.map((row) => ({ row, name: row.library as string })), ...(results.silentHitFullLookup ?? []).map((row) => ({ row, name: `${row.library} (full lookup)` }))]
      .sort((a, b) => a.row.accounts - b.row.accounts)
      .map(({ row, name }) => [row.accounts.toLocaleString('en-US'), name, String(row.iterations), formatUs(row.medianUs), formatUs(row.p95Us), formatUs(row.meanUs)]),
  ));
  if (results.silentHitFullLookup) {
    out.push('(full lookup: ours with the cache changed before every call, so the memo of repeated hits cannot answer)');
  }
  out.push('');
  out.push('msal-node time / tessera time (> 1 means tessera is faster)');
  out.push(table(
    ['accounts', 'median ratio', 'p95 ratio'],
    results.silentHitRatios.map((r) => [r.accounts.toLocaleString('en-US'), formatRatio(r.median), formatRatio(r.p95)]),
  ));
  out.push('');
  out.push('Growth with cache size (time at the largest cache / time with one account; 1× = flat)');
  out.push(table(
    ['library', 'accounts', 'median growth', 'p95 growth'],
    results.growth.map((g) => [g.library, `${g.fromAccounts} → ${g.toAccounts.toLocaleString('en-US')}`, formatRatio(g.median), formatRatio(g.p95)]),
  ));
  return out.join('\n');
}

/** The human-readable report printed at the end of a run. */
export function formatReport(results: BenchResults): string {
  const out: string[] = [formatHitReport(results)];
  out.push('');
  out.push('Secondary: silent refresh (expired access token → exactly 1 token request), 1 account');
  out.push(table(
    ['library', 'calls', 'median', 'p95'],
    results.refresh.map((row) => [row.library, String(row.iterations), formatUs(row.medianUs), formatUs(row.p95Us)]),
  ));
  out.push(`msal-node / tessera: median ${formatRatio(results.refreshRatio.median)}, p95 ${formatRatio(results.refreshRatio.p95)}`);
  out.push('');
  const listed = results.listing[0]?.accounts ?? 0;
  out.push(`Secondary: list all accounts (getAccounts / getAllAccounts) of a ${listed.toLocaleString('en-US')}-account cache`);
  out.push(table(
    ['library', 'calls', 'median', 'p95'],
    results.listing.map((row) => [row.library, String(row.iterations), formatUs(row.medianUs), formatUs(row.p95Us)]),
  ));
  out.push(`msal-node / tessera: median ${formatRatio(results.listingRatio)}`);
  out.push('');
  const largest = results.serialization[0]?.accounts ?? 0;
  out.push(`Secondary: serialize / deserialize of the ${largest.toLocaleString('en-US')}-account cache`);
  out.push(table(
    ['library', 'operation', 'JSON size', 'calls', 'median', 'p95'],
    results.serialization.map((row) => [row.library, row.operation, `${(row.cacheBytes / 1e6).toFixed(1)} MB`, String(row.iterations), formatUs(row.medianUs), formatUs(row.p95Us)]),
  ));
  out.push(`msal-node / tessera: serialize ${formatRatio(results.serializationRatios.serialize)}, deserialize ${formatRatio(results.serializationRatios.deserialize)}`);
  out.push('');
  out.push(`Run took ${results.durationSeconds.toFixed(0)} s.`);
  return out.join('\n');
}

/** Writes `results` as pretty JSON to `path`, creating its folder. */
export async function writeResults(path: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}
